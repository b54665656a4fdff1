"""Accuracy of the extractor on the labelled set in tests/fixtures/directives/ (see evaluation.py).

The figures are printed (run with ``-s`` to see them) and recorded in docs/directives.md. The
texts written for the tests must reach recall 0.9, precision 0.9, deadline accuracy 0.9 and lead
accuracy 0.85; the published texts are scored on their own.
"""

from __future__ import annotations

import datetime as dt
import sys

import pytest

from dieuhanh.directives.extraction import extract_directives
from tests.directives.conftest import demo_catalogue
from tests.directives.evaluation import FIXTURES, Score, evaluate, load_documents

SEED = FIXTURES / "binh-duong-2023-directives.vi.txt"


@pytest.fixture(scope="module")
def scores() -> dict[str, Score]:
    results = evaluate(demo_catalogue(), load_documents())
    # Shown with `pytest -s` (or -rP); docs/directives.md records them.
    lines = [score.line(name) for name, score in results.items()]
    seed = results["binh-duong-2023-directives.vi.txt"]
    lines.append(f"suggested leads on the seed article (informational): {seed.suggestion_right} of {seed.suggestions}")
    sys.stdout.write("\n" + "\n".join(lines) + "\n")
    return results


def test_the_labelled_set_has_at_least_sixty_directives_in_four_documents() -> None:
    documents = load_documents(published=False)

    assert len(documents) >= 4
    assert sum(len(d.labels) for d in documents) >= 60
    assert any(d.heldout for d in documents)


def test_the_labelled_set_holds_at_least_four_published_texts_each_cited() -> None:
    published = load_documents(published=True)
    provenance = (FIXTURES / "published" / "PROVENANCE.md").read_text(encoding="utf-8")

    assert len(published) >= 4
    assert all(d.published and f"`{d.name}`" in provenance for d in published)


def test_the_extractor_reaches_the_accuracy_the_issue_asks_for(scores: dict[str, Score]) -> None:
    whole = scores["written"]

    assert whole.recall >= 0.9, whole.misses
    assert whole.precision >= 0.9, whole.false_positives
    assert whole.deadline_accuracy >= 0.9, whole.wrong
    assert whole.lead_accuracy >= 0.85, whole.wrong


def test_the_published_texts_read_with_no_catalogue_name_who_must_act(scores: dict[str, Score]) -> None:
    # The rules were improved on these texts after their first run (docs/directives.md gives both
    # figures); this keeps what was reached from sliding back.
    tuned = scores["published, tuned on"]

    assert tuned.recall >= 0.9, tuned.misses
    assert tuned.precision >= 0.9, tuned.false_positives
    assert tuned.lead_text_accuracy >= 0.9, tuned.wrong
    assert tuned.coordination_text_accuracy >= 0.85, tuned.wrong


def test_on_held_out_published_texts_the_orders_found_name_their_agencies_as_written(
    scores: dict[str, Score],
) -> None:
    # Held out: their recall is the honest estimate for new texts and is only reported; what this
    # issue is about, the names as written, must hold on the orders that are found.
    held_out = scores["published, held out"]

    assert held_out.labelled > 0
    assert held_out.lead_text_accuracy >= 0.8, held_out.wrong


def test_the_published_texts_of_the_second_search_are_scored_on_their_own(scores: dict[str, Score]) -> None:
    # Labelled before their first run (docs/directives.md gives it); one general rule was made on
    # them after it, so they are neither held out nor part of the set the names were tuned on.
    second = scores["published, second search"]

    assert second.labelled > 0
    assert second.recall >= 0.9, second.misses
    assert second.precision >= 0.9, second.false_positives
    assert second.deadline_accuracy >= 0.9, second.wrong


def test_the_held_out_documents_are_scored_on_their_own(scores: dict[str, Score]) -> None:
    held_out = scores["held-out"]

    assert held_out.labelled > 0
    assert held_out.recall >= 0.8, held_out.misses
    assert held_out.precision >= 0.8, held_out.false_positives


def test_the_seed_article_gives_about_twenty_directives_and_the_hospital_by_the_end_of_november() -> None:
    found = extract_directives(
        SEED.read_text(encoding="utf-8"), document_date=dt.date(2023, 7, 20), catalogue=demo_catalogue()
    )
    hospital = [d for d in found if "1.500 giường" in d.content]

    assert 18 <= len(found) <= 22
    assert len(hospital) == 1
    assert hospital[0].deadline == dt.date(2023, 11, 30)


@pytest.mark.parametrize(
    "not_a_directive",
    [
        "Năm 2023 là năm bản lề",
        "Theo đánh giá của Chủ tịch",
        "Dưới sự lãnh đạo của Tỉnh ủy",
        "Ảnh minh",
        "khẳng định, tỉnh sẽ quyết tâm",
        "Cửu Long",
    ],
)
def test_the_seed_articles_context_caption_and_byline_are_not_directives(not_a_directive: str) -> None:
    found = extract_directives(
        SEED.read_text(encoding="utf-8"), document_date=dt.date(2023, 7, 20), catalogue=demo_catalogue()
    )

    assert not [d for d in found if not_a_directive.lower() in d.source_sentence.lower()]


def test_a_past_meeting_date_in_the_seed_is_not_a_deadline() -> None:
    found = extract_directives(
        SEED.read_text(encoding="utf-8"), document_date=dt.date(2023, 7, 20), catalogue=demo_catalogue()
    )
    region = next(d for d in found if "Hội đồng điều phối vùng" in d.content)

    assert region.deadline is None
