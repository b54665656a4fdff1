"""Shared fixtures: a small tree of units, the three actors of every permission test, and the demo.

The demo (the new Hồ Chí Minh City and the three former provinces, Bình Dương among them) is loaded
once for the whole run (``demo``), its figures up to a pinned month (``DEMO_UNTIL``, so that the tests
do not change as the calendar moves), into the test database and
committed, so that a live server sees it too. Every test that asks for it runs after every test that
does not (``pytest_collection_modifyitems``), so that no other test sees it; each reads it inside its
own transaction, rolled back after the test, so that a test may change it. A transactional test
(``django_db(transaction=True)``) empties the database when it ends: those run after the others that
use the demo, and the demo is put back if a test after one still needs it, from a snapshot of the
database taken when it was loaded (``tests.databases.Snapshot``: a second, where loading it again took
half a minute).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import connection
from django.test import override_settings
from django.utils import translation
from pytest_django.plugin import validate_django_db
from rest_framework.test import APIClient

from dieuhanh.accounts.choices import Role
from dieuhanh.accounts.services import api_token_create, membership_add
from dieuhanh.demo import figures as demo_figures
from dieuhanh.demo import services as demo_services
from dieuhanh.demo.catalogue import demo_data_dir
from dieuhanh.demo.generate import DEFAULT_SEED
from dieuhanh.demo.services import DemoLoadResult, demo_load
from dieuhanh.demo.synth import GeneratedValue
from dieuhanh.indicators.periods import Period
from dieuhanh.orgunits.models import OrgUnit
from tests.databases import Snapshot
from tests.factories import OrgUnitFactory, UserFactory


@dataclass
class Tree:
    """Tỉnh 74 → huyện 718 (xã 25741, 25744) and huyện 719 (xã 25816)."""

    province: OrgUnit
    district_a: OrgUnit
    district_b: OrgUnit
    commune_a1: OrgUnit
    commune_a2: OrgUnit
    commune_b1: OrgUnit


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    """Passwords hashed in a blink, as Django advises for test suites: the product's hasher (PBKDF2,
    a million rounds, half a second here) is for passwords kept, and the suite hashes one for every
    user it makes and every sign-in it tries. The product's hashers stay listed after it, so that a
    password a command of the product hashed in a process of its own is still checked here."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher", *django_settings.PASSWORD_HASHERS]
    with override_settings(PASSWORD_HASHERS=fast):
        yield


@pytest.fixture(autouse=True)
def _default_language() -> None:
    """Each test starts in the product's default language. A request chooses its language for the
    thread that serves it (``ChosenLanguageMiddleware``), as every request of the product does, and
    nothing chooses it back: a test's last request in English left the next test of the same
    worker writing its templates in English."""
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_answer_cache() -> None:
    """Cached analytics answers and pages must not outlive the test (and its database) that made them."""
    caches["default"].clear()
    caches["pages"].clear()
    caches["pages-hot"].clear()


@pytest.fixture
def tree(db: None) -> Tree:
    province = OrgUnitFactory(code="74", name="Tỉnh Bình Dương", kind="province")
    district_a = OrgUnitFactory(code="718", name="Thành phố Thủ Dầu Một", kind="district", parent=province)
    district_b = OrgUnitFactory(code="719", name="Huyện Bàu Bàng", kind="district", parent=province)
    return Tree(
        province=province,
        district_a=district_a,
        district_b=district_b,
        commune_a1=OrgUnitFactory(code="25741", name="Phường Hiệp Thành", parent=district_a),
        commune_a2=OrgUnitFactory(code="25744", name="Phường Phú Lợi", parent=district_a),
        commune_b1=OrgUnitFactory(code="25816", name="Xã Trừ Văn Thố", parent=district_b),
    )


@pytest.fixture
def owner(db: None):  # type: ignore[no-untyped-def]
    """An administrator of the IOC: imports figures of every unit and edits the catalogue."""
    user = UserFactory(username="owner")
    membership_add(user=user, role=Role.ADMINISTRATOR)
    return user


@pytest.fixture
def colleague(db: None):  # type: ignore[no-untyped-def]
    """Signed in, but with no role: sees what the public sees, changes nothing."""
    return UserFactory(username="colleague")


@pytest.fixture
def leader(tree: Tree):  # type: ignore[no-untyped-def]
    """A viewer of the province at the root of the tree: reads everything, changes nothing."""
    user = UserFactory(username="leader")
    membership_add(user=user, role=Role.VIEWER, org_unit=tree.province)
    return user


@pytest.fixture
def leader_api(leader) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=leader).key}")
    return client


@pytest.fixture
def api() -> APIClient:
    """An outsider: anonymous API client."""
    return APIClient()


@pytest.fixture
def owner_api(owner) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=owner).key}")
    return client


@pytest.fixture
def colleague_api(colleague) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=colleague).key}")
    return client


def uses_demo(item: pytest.Item | None) -> bool:
    return item is not None and "demo" in getattr(item, "fixturenames", ())


def flushes(item: pytest.Item) -> bool:
    """Whether pytest-django empties the database after the test (a transactional one)."""
    marker = item.get_closest_marker("django_db")
    transactional, reset_sequences, *_ = validate_django_db(marker) if marker else (False, False)
    fixtures = set(getattr(item, "fixturenames", ()))
    return bool(transactional or reset_sequences or fixtures & {"transactional_db", "live_server"})


# Fixtures through which a test reaches the suite's database (pytest-django's, and the live server's).
DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server"}
)


def same_on_every_database(item: pytest.Item) -> str | None:
    """Why a test would only repeat on the PostgreSQL run what the SQLite run does, or None.

    A test that never opens the suite's database (pytest-django blocks it unless the test is marked
    ``django_db`` or asks for a database fixture) runs the same code whatever ``DATABASE_URL`` says;
    so does one that names its own SQLite file (``own_sqlite``). The browser tests drive the front end
    (scripts, layout, the content policy) against the live server: what the pages ask of the database
    is tested on both runs by the pages' own tests, through Django's test client."""
    if item.get_closest_marker("own_sqlite"):
        return "runs on an SQLite file of its own"
    if item.get_closest_marker("browser"):
        return "drives the front end in a browser"
    if not item.get_closest_marker("django_db") and not DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
        return "uses no database"
    return None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The tests on the demo last. pytest-django has already put the transactional tests after the others,
    and the sort is stable: those on the demo come last of all. A test of a migration needs the
    migrations run (``--migrations``, as ``make test`` does for them); without, it is skipped. A test
    that would run the same on either database (``same_on_every_database``) runs on the SQLite run only."""
    items.sort(key=uses_demo)
    if connection.vendor != "sqlite":
        for item in items:
            reason = same_on_every_database(item)
            if reason:
                item.add_marker(pytest.mark.skip(reason=f"{reason}: the SQLite run covers it"))
    if config.getoption("nomigrations"):
        skip = pytest.mark.skip(reason="a migration test: run with --migrations -m migrations")
        for item in items:
            if item.get_closest_marker("migrations"):
                item.add_marker(skip)


# The last month of the demo's figures in tests: the last complete month before 5/12/2026, when
# these tests were written. Every value up to it is the same whatever the month, so a later one
# would add months and change none.
DEMO_UNTIL = Period.parse("202611")


@functools.cache
def _sample(seed: int, until: Period) -> tuple[GeneratedValue, ...]:
    return tuple(demo_figures.demo_generate(seed=seed, until=until))


def remembered_sample(
    *, seed: int = DEFAULT_SEED, data_dir: Path | None = None, until: Period | None = None
) -> list[GeneratedValue]:
    """The demo's figures as ``demo_generate`` makes them, made once a run for a seed and month of the
    package's own sample: the same every time (``test_the_figures_are_reproducible_for_a_seed``), and
    they took a third of every load of the demo again."""
    if until is None or (data_dir is not None and data_dir != demo_data_dir()):
        return demo_figures.demo_generate(seed=seed, data_dir=data_dir, until=until)
    return list(_sample(seed, until))


@pytest.fixture(scope="session", autouse=True)
def _remembered_sample() -> Iterator[None]:
    """Loads of the demo (the run's, the tests', the command's) take the sample made once."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(demo_services, "demo_generate", remembered_sample)
        yield


@dataclass
class SharedDemo:
    """The demo as loaded into the test database, how to reach that database again, and a snapshot of
    the database as the load left it."""

    blocker: Any = None
    result: DemoLoadResult | None = None
    snapshot: Snapshot | None = None

    def load(self) -> DemoLoadResult:
        with self.blocker.unblock():
            # The sample goes into a test database, never into the one the settings name.
            name = str(connection.settings_dict["NAME"])
            if not ("mode=memory" in name or name == ":memory:" or Path(name).name.startswith("test_")):
                raise RuntimeError(f"The demo is loaded into a test database only, not into {name}.")
            self.result = demo_load(until=DEMO_UNTIL)
            self.snapshot = Snapshot()
        return self.result

    def restore(self) -> None:
        """The database as the load left it, again."""
        assert self.snapshot is not None
        with self.blocker.unblock():
            self.snapshot.restore()

    def discard(self) -> None:
        if self.snapshot is not None:
            self.snapshot.discard()
        self.result = self.snapshot = None


SHARED_DEMO = SharedDemo()


@pytest.fixture(scope="session")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[DemoLoadResult]:
    """The demo, loaded once for the run (see the module's docstring)."""
    SHARED_DEMO.blocker = django_db_blocker
    yield SHARED_DEMO.load()
    SHARED_DEMO.discard()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    outcome = yield
    # The flush at the end of a transactional test took the demo with it: put it back for the next test.
    if SHARED_DEMO.result is not None and uses_demo(item) and uses_demo(nextitem) and flushes(item):
        SHARED_DEMO.restore()
    return outcome
