"""The extractor's rules, one behaviour at a time: deadlines, numbers, past events, agencies, roles."""

from __future__ import annotations

import datetime as dt

import pytest

from dieuhanh.directives.extraction import (
    GROUP_AGENCIES,
    GROUP_COMMUNES,
    GROUP_DISTRICTS,
    ProposedDirective,
    catalogue_from,
    extract_directives,
    timing_of,
)
from tests.directives.conftest import demo_catalogue

DOC = dt.date(2024, 9, 12)


def extract(text: str, *, on: dt.date = DOC) -> list[ProposedDirective]:
    return extract_directives(text, document_date=on, catalogue=demo_catalogue())


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("khẩn trương đưa vào hoạt động Bệnh viện Đa khoa 1.500 giường trong tháng 11/2023.", dt.date(2023, 11, 30)),
        ("trình Ủy ban nhân dân tỉnh trước ngày 15/10/2024.", dt.date(2024, 10, 15)),
        ("hoàn thành chậm nhất ngày 31/12/2024.", dt.date(2024, 12, 31)),
        ("hoàn thành trong quý IV/2024.", dt.date(2024, 12, 31)),
        ("hoàn thành trong 6 tháng đầu năm 2025.", dt.date(2025, 6, 30)),
        ("hoàn thành trong năm 2025.", dt.date(2025, 12, 31)),
        ("hoàn thành trong năm học 2023-2024.", dt.date(2024, 5, 31)),
        ("chuẩn bị tốt điều kiện cho khai giảng năm học mới 2023-2024.", dt.date(2023, 9, 5)),
        ("báo cáo trước ngày 20/10.", dt.date(2024, 10, 20)),
        ("báo cáo trước ngày 15/01.", dt.date(2025, 1, 15)),
        ("trình trước ngày 30 tháng 9 năm 2024.", dt.date(2024, 9, 30)),
        ("hoàn thành trong quý 3/2025.", dt.date(2025, 9, 30)),
        ("đến hết tháng 9/2025.", dt.date(2025, 9, 30)),
        ("trình tại kỳ họp cuối năm 2024.", dt.date(2024, 12, 31)),
        ("khánh thành trước Tết Nguyên đán Ất Tỵ 2025.", dt.date(2025, 1, 28)),
        ("cao điểm từ ngày 15/12/2024 đến ngày 28/02/2025.", dt.date(2025, 2, 28)),
        ("báo cáo trong vòng 10 ngày làm việc.", dt.date(2024, 9, 26)),
        ("báo cáo trong thời hạn mười lăm ngày.", dt.date(2024, 9, 27)),
        ("trình trước năm 2026.", dt.date(2025, 12, 31)),
    ],
)
def test_it_reads_the_deadline_phrases_of_official_texts(text: str, deadline: dt.date) -> None:
    assert timing_of(text, document_date=DOC).deadline == deadline


@pytest.mark.parametrize(
    ("text", "recurrence"),
    [
        ("báo cáo trước ngày 20 hằng tháng.", "monthly:20"),
        ("định kỳ hằng tháng, trước ngày 05 báo cáo kết quả.", "monthly:05"),
        ("hàng tháng, vào ngày 25, cập nhật tiến độ.", "monthly:25"),
        ("báo cáo hằng tháng.", "monthly:31"),
        ("định kỳ hằng quý báo cáo kết quả.", "quarterly"),
        ("thường xuyên kiểm tra công tác vệ sinh.", "continuous"),
        ("xác định đây là nhiệm vụ thường xuyên.", "continuous"),
    ],
)
def test_it_reads_recurrences(text: str, recurrence: str) -> None:
    timing = timing_of(text, document_date=DOC)

    assert (timing.deadline, timing.recurrence) == (None, recurrence)


@pytest.mark.parametrize(
    "text",
    [
        "phối hợp triển khai các nhiệm vụ của Hội đồng (đã họp lần thứ nhất ngày 18/7/2023).",
        "xử lý các điểm đen đã được xác định trong năm 2024.",
        "thông báo kế hoạch vốn đầu tư công năm 2024 cho các chủ đầu tư.",
        "theo Văn bản số 123/UBND-KT ngày 05/8/2024 của Ủy ban nhân dân tỉnh.",
        "bảo đảm an toàn thông tin 24/7.",
        "không để hồ sơ tồn đọng quá 15 ngày làm việc.",
        "không để tồn đọng hồ sơ thanh toán cuối năm.",
        "khảo sát các điểm thường xuyên ùn tắc.",
        "nâng cấp đường ĐT.746 và bệnh viện 1.500 giường.",
    ],
)
def test_past_events_references_and_numbers_are_not_deadlines(text: str) -> None:
    timing = timing_of(text, document_date=DOC)

    assert (timing.deadline, timing.recurrence) == (None, None)


def test_a_dot_inside_a_road_number_does_not_cut_the_sentence() -> None:
    found = extract("Sở Giao thông vận tải hoàn chỉnh hồ sơ mở rộng đường ĐT.741, trình trước ngày 30/11/2024.")

    assert len(found) == 1
    assert found[0].deadline == dt.date(2024, 11, 30)


@pytest.mark.parametrize(
    ("text", "lead"),
    [
        ("Sở Kế hoạch và Đầu tư tổng hợp danh mục dự án.", "SKHDT"),
        ("Sở KH&ĐT tổng hợp danh mục dự án.", "SKHDT"),
        ("Sở TN&MT hướng dẫn xác định giá đất.", "STNMT"),
        ("Sở LĐ-TB&XH rà soát hộ nghèo.", "SLDTBXH"),
        ("Công an tỉnh bảo đảm an ninh, trật tự.", "CATINH"),
        ("Cục Thống kê tỉnh cập nhật số liệu.", "CTK"),
        ("Kho bạc Nhà nước Bình Dương kiểm soát chi.", "KBNN"),
        ("Văn phòng Ủy ban nhân dân tỉnh theo dõi, đôn đốc.", "VPUBND"),
        ("UBND TP. Thủ Dầu Một rà soát các điểm ngập.", "718"),
        ("Ủy ban nhân dân thị xã Bến Cát rà soát các điểm ngập.", "721"),
        ("Giao Sở Y tế khẩn trương đưa bệnh viện vào hoạt động.", "SYT"),
        ("Chủ tịch UBND tỉnh yêu cầu Sở Tài chính rà soát kinh phí.", "STC"),
        ("Ủy ban nhân dân các huyện, thị xã, thành phố đẩy nhanh giải phóng mặt bằng.", GROUP_DISTRICTS),
        ("Các sở, ban, ngành quán triệt Chỉ thị này.", GROUP_AGENCIES),
        ("Giám đốc các sở, Thủ trưởng các ban, ngành tổ chức thực hiện.", GROUP_AGENCIES),
        ("Ban Quản lý dự án đầu tư xây dựng tỉnh đẩy nhanh tiến độ thi công.", "BD_BQLDA"),
    ],
)
def test_it_matches_agency_names_and_groups_to_the_catalogue(text: str, lead: str | None) -> None:
    (found,) = extract(text)

    assert found.lead_agency == lead


@pytest.mark.parametrize(
    ("text", "lead", "coordinating"),
    [
        (
            "Giao Sở Kế hoạch và Đầu tư chủ trì, phối hợp với Sở Tài chính rà soát nhu cầu vốn.",
            "Sở Kế hoạch và Đầu tư",
            ["Sở Tài chính"],
        ),
        ("UBND các huyện, thị xã, thành phố đẩy nhanh giải phóng mặt bằng.", "UBND các huyện, thị xã, thành phố", []),
        ("Ban Quản lý các khu công nghiệp hướng dẫn doanh nghiệp lập hồ sơ.", "Ban Quản lý các khu công nghiệp", []),
        ("Các sở, ban, ngành quán triệt Chỉ thị này.", "Các sở, ban, ngành", []),
        (
            "Công an tỉnh chủ trì, phối hợp với Văn phòng UBND tỉnh tổng hợp tình hình.",
            "Công an tỉnh",
            ["Văn phòng UBND tỉnh"],
        ),
        ("Sở KH&ĐT, Sở TN&MT rà soát danh mục dự án.", "Sở KH&ĐT", ["Sở TN&MT"]),
        ("Giao Sở Tài chính tham mưu UBND tỉnh bố trí kinh phí.", "Sở Tài chính", []),
        (
            "Sở Y tế chủ trì, phối hợp với Sở Tài chính, Bảo hiểm xã hội tỉnh và các cơ quan liên quan rà soát giá.",
            "Sở Y tế",
            ["Sở Tài chính", "Bảo hiểm xã hội tỉnh", "các cơ quan liên quan"],
        ),
        ("UBND các xã, phường triển khai cấp căn cước cho người dân.", "UBND các xã, phường", []),
        (
            "Sở Tài chính chủ trì, phối hợp với Sở Nông nghiệp và Môi trường, Sở Khoa học và Công nghệ phân bổ vốn.",
            "Sở Tài chính",
            ["Sở Nông nghiệp và Môi trường", "Sở Khoa học và Công nghệ"],
        ),
        ("Sở Văn hóa, Thể thao và Du lịch chủ trì tổ chức lễ hội.", "Sở Văn hóa, Thể thao và Du lịch", []),
        (
            "Đài Phát thanh và Truyền hình tỉnh, Báo Bình Dương mở chuyên mục tuyên truyền.",
            "Đài Phát thanh và Truyền hình tỉnh",
            ["Báo Bình Dương"],
        ),
        ("Yêu cầu Giám đốc Sở Tư pháp chủ trì thẩm định dự thảo.", "Sở Tư pháp", []),
        ("Giám đốc các sở, Thủ trưởng các ban, ngành tổ chức thực hiện.", "các sở, các ban, ngành", []),
        ("Các chủ đầu tư khẩn trương hoàn thiện hồ sơ thanh toán.", "Các chủ đầu tư", []),
    ],
)
def test_without_a_catalogue_the_agencies_are_named_as_the_text_writes_them(
    text: str, lead: str, coordinating: list[str]
) -> None:
    (found,) = extract_directives(text, document_date=dt.date(2025, 8, 1), catalogue=catalogue_from([]))

    assert (found.lead_agency_text, found.coordinating_agencies_text) == (lead, coordinating)


def test_known_agencies_get_their_code_beside_the_name_as_written() -> None:
    (found,) = extract(
        "Sở Giao thông vận tải, Công an tỉnh phối hợp với UBND các huyện, thị xã, thành phố, Sở Tư pháp "
        "và các cơ quan liên quan tăng cường kiểm tra, xử lý vi phạm."
    )

    assert (found.lead_agency, found.lead_agency_text) == ("SGTVT", "Sở Giao thông vận tải")
    assert found.coordinating_agencies == ["CATINH", GROUP_DISTRICTS]
    assert found.coordinating_agencies_text == [
        "Công an tỉnh",
        "UBND các huyện, thị xã, thành phố",
        "Sở Tư pháp",
        "các cơ quan liên quan",
    ]


def test_the_name_keeps_the_texts_own_spelling_while_the_content_is_normalised() -> None:
    (found,) = extract("Giao Uỷ ban nhân dân thành phố Thuận An chủ trì, phối hợp với Sở LĐ–TB&XH xử lý điểm ngập.")

    assert (found.lead_agency, found.lead_agency_text) == ("725", "Uỷ ban nhân dân thành phố Thuận An")
    assert found.coordinating_agencies_text == ["Sở LĐ–TB&XH"]
    assert found.content.startswith("Giao Ủy ban nhân dân")


def test_the_communes_after_the_reform_are_a_group_without_a_catalogue() -> None:
    (found,) = extract_directives(
        "Chủ tịch UBND các xã, phường chỉ đạo rà soát hộ nghèo.",
        document_date=dt.date(2025, 8, 1),
        catalogue=catalogue_from([]),
    )

    assert (found.lead_agency, found.lead_agency_text) == (GROUP_COMMUNES, "UBND các xã, phường")


def test_an_agency_the_catalogue_does_not_know_reporting_what_it_did_is_not_an_order() -> None:
    assert extract("Sở Tư pháp đã triển khai kế hoạch tuyên truyền pháp luật.") == []


def test_headings_and_the_fields_of_a_plan_give_their_names_as_written() -> None:
    found = extract(
        "2. Thanh tra tỉnh:\n"
        "a) Tăng cường thanh tra công vụ.\n"
        "III. NHIỆM VỤ\n"
        "a) Xây dựng Quy chế vận hành Trung tâm Giám sát điều hành thông minh.\n"
        "- Cơ quan chủ trì: Sở TT&TT.\n"
        "- Cơ quan phối hợp: Văn phòng UBND tỉnh, Sở Tư pháp."
    )

    assert [(d.lead_agency_text, d.coordinating_agencies_text) for d in found] == [
        ("Thanh tra tỉnh", []),
        ("Sở TT&TT", ["Văn phòng UBND tỉnh", "Sở Tư pháp"]),
    ]


def test_the_lead_chairs_and_the_agencies_after_phoi_hop_coordinate() -> None:
    (found,) = extract(
        "Sở Tài nguyên và Môi trường chủ trì, phối hợp với Ủy ban nhân dân thành phố Thủ Dầu Một, "
        "Sở Tài chính và các cơ quan liên quan giải quyết vướng mắc, báo cáo Sở Kế hoạch và Đầu tư trong tháng 10/2024."
    )

    assert found.lead_agency == "STNMT"
    assert found.coordinating_agencies == ["718", "STC"]
    assert found.deadline == dt.date(2024, 10, 31)


def test_a_bare_place_name_is_not_an_agency() -> None:
    (found,) = extract("Tập trung giải phóng mặt bằng trên địa bàn thành phố Thủ Dầu Một.")

    assert (found.lead_agency, found.coordinating_agencies) == (None, [])


def test_items_under_an_agency_heading_belong_to_that_agency() -> None:
    found = extract(
        "2. Công an tỉnh:\n"
        "a) Chủ trì, phối hợp với Sở Y tế tăng cường tuần tra.\n"
        "b) Rà soát, lắp đặt camera, hoàn thành trong quý I/2025.\n"
        "3. Sở Tài chính cân đối kinh phí."
    )

    assert [(d.lead_agency, d.coordinating_agencies, d.deadline) for d in found] == [
        ("CATINH", ["SYT"], None),
        ("CATINH", [], dt.date(2025, 3, 31)),
        ("STC", [], None),
    ]


def test_the_lines_of_a_plan_give_the_task_its_lead_partners_and_deadline() -> None:
    (found,) = extract(
        "III. NHIỆM VỤ\n"
        "a) Xây dựng Quy chế vận hành Trung tâm Giám sát điều hành thông minh.\n"
        "- Cơ quan chủ trì: Sở Thông tin và Truyền thông.\n"
        "- Cơ quan phối hợp: Văn phòng UBND tỉnh, Sở Tư pháp.\n"
        "- Thời gian hoàn thành: Quý I/2025.",
        on=dt.date(2024, 12, 10),
    )

    assert (found.lead_agency, found.coordinating_agencies, found.deadline) == (
        "STTTT",
        ["VPUBND"],
        dt.date(2025, 3, 31),
    )


def test_a_clause_after_a_semicolon_is_a_new_directive_with_the_same_subject() -> None:
    found = extract(
        "Sở Tài chính chủ trì, phối hợp với Kho bạc Nhà nước Bình Dương hướng dẫn hoàn thiện hồ sơ; "
        "định kỳ hằng tháng, trước ngày 05 báo cáo kết quả giải ngân."
    )

    assert [(d.lead_agency, d.coordinating_agencies, d.recurrence) for d in found] == [
        ("STC", ["KBNN"], None),
        ("STC", ["KBNN"], "monthly:05"),
    ]


def test_a_semicolon_before_a_continuation_does_not_split() -> None:
    found = extract("Quán triệt cán bộ chấp hành nghiêm quy định; không sử dụng rượu, bia khi tham gia giao thông.")

    assert len(found) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Năm 2023 là năm bản lề thực hiện Kế hoạch 5 năm 2021-2025.",
        "Tính đến ngày 31/8/2024, toàn tỉnh đã giải ngân 4.215,6 tỷ đồng, đạt 38,2% kế hoạch.",
        "Chủ tịch Ủy ban nhân dân tỉnh ghi nhận, biểu dương Ủy ban nhân dân thành phố Dĩ An.",
        "Ngày 05/9/2024, Chủ tịch Ủy ban nhân dân tỉnh chủ trì cuộc họp về giải ngân vốn đầu tư công.",
        "Sở Kế hoạch và Đầu tư đã tham mưu Ủy ban nhân dân tỉnh điều chuyển vốn.",
        "Văn phòng Ủy ban nhân dân tỉnh thông báo để các cơ quan, đơn vị biết, thực hiện./.",
        "Ảnh minh hoạ",
        "Cửu Long",
        "Chủ tịch Ủy ban nhân dân tỉnh yêu cầu các sở, ngành tập trung thực hiện các nhiệm vụ sau:",
        "Cùng đi có đại diện lãnh đạo Sở Xây dựng, Sở Giao thông vận tải.",
    ],
)
def test_context_assessments_captions_bylines_and_formulas_are_not_directives(text: str) -> None:
    assert extract(text) == []


def test_the_recipients_and_the_signature_block_are_not_read() -> None:
    found = extract(
        "Sở Y tế khẩn trương đưa bệnh viện vào hoạt động.\n"
        "Nơi nhận:\n- Các sở, ban, ngành;\n- Lưu: VT.\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"
    )

    assert len(found) == 1


def test_the_aims_and_targets_of_a_plan_are_not_directives() -> None:
    found = extract(
        "I. MỤC ĐÍCH, YÊU CẦU\n"
        "Nâng cao hiệu lực, hiệu quả hoạt động của cơ quan nhà nước.\n"
        "II. NHIỆM VỤ\n"
        "1. Sở Nội vụ triển khai chữ ký số cho cán bộ, công chức."
    )

    assert [d.lead_agency for d in found] == ["SNV"]


def test_the_json_has_exactly_the_fields_the_issues_name() -> None:
    (found,) = extract("Sở Y tế khẩn trương đưa bệnh viện vào hoạt động trong tháng 11/2024.")

    assert found.as_json() == {
        "content": "Sở Y tế khẩn trương đưa bệnh viện vào hoạt động trong tháng 11/2024.",
        "lead_agency": "SYT",
        "lead_agency_text": "Sở Y tế",
        "coordinating_agencies": [],
        "coordinating_agencies_text": [],
        "deadline": "2024-11-30",
        "recurrence": None,
        "source_sentence": "Sở Y tế khẩn trương đưa bệnh viện vào hoạt động trong tháng 11/2024.",
    }


def test_a_suggested_lead_is_proposed_only_when_asked_and_is_flagged() -> None:
    text = "Khẩn trương đưa vào hoạt động Bệnh viện Đa khoa 1.500 giường."

    (plain,) = extract_directives(text, document_date=DOC, catalogue=demo_catalogue())
    (suggested,) = extract_directives(text, document_date=DOC, catalogue=demo_catalogue(), suggest_leads=True)

    assert (plain.lead_agency, plain.lead_suggested) == (None, False)
    assert (suggested.lead_agency, suggested.lead_suggested) == ("SYT", True)


def test_old_tone_marks_are_normalised_with_underthesea() -> None:
    (found,) = extract("Uỷ ban nhân dân các huyện, thị xã, thành phố đẩy nhanh công tác hoà giải.")

    assert found.lead_agency == GROUP_DISTRICTS
    assert "hòa giải" in found.content


@pytest.mark.parametrize(
    ("text", "lead", "lead_text"),
    [
        (
            "Phó Chủ tịch UBND tỉnh Trần Văn An yêu cầu Sở Y tế khẩn trương kiểm tra các bếp ăn tập thể.",
            "SYT",
            "Sở Y tế",
        ),
        ("Chủ tịch UBND TP. Huế yêu cầu Sở Tư pháp rà soát các quy chế.", None, "Sở Tư pháp"),
        ("Chủ tịch UBND huyện giao cho Phòng Kinh tế và Hạ tầng tổng hợp báo cáo.", None, "Phòng Kinh tế và Hạ tầng"),
        ("UBND tỉnh Lâm Đồng đã có văn bản giao Sở Tài chính chủ trì rà soát tài sản công.", "STC", "Sở Tài chính"),
        (
            "Chủ tịch UBND tỉnh đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh tuyên truyền, vận động Nhân dân.",
            None,
            "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
        ),
    ],
)
def test_the_issuer_may_be_named_with_its_place_and_its_chairmans_name(
    text: str, lead: str | None, lead_text: str
) -> None:
    (found,) = extract(text)

    assert (found.lead_agency, found.lead_agency_text) == (lead, lead_text)


def test_a_list_of_addressees_keeps_every_kind_of_body_it_names() -> None:
    (found,) = extract(
        "Chủ tịch UBND tỉnh yêu cầu thủ trưởng các sở, ban, ngành, đơn vị sự nghiệp công lập và "
        "Chủ tịch UBND huyện, thị xã, thành phố tập trung siết chặt kỷ luật hành chính."
    )

    assert (found.lead_agency, found.coordinating_agencies) == (GROUP_AGENCIES, [GROUP_DISTRICTS])
    assert found.coordinating_agencies_text == ["đơn vị sự nghiệp công lập", "UBND huyện, thị xã, thành phố"]


def test_some_named_districts_are_not_the_group_of_all_districts() -> None:
    (found,) = extract(
        "Sở Tài chính chủ trì, phối hợp với UBND các huyện: Dầu Tiếng, Phú Giáo và Bàu Bàng rà soát trụ sở."
    )

    assert found.coordinating_agencies == []
    assert found.coordinating_agencies_text == ["UBND các huyện: Dầu Tiếng, Phú Giáo và Bàu Bàng"]


def test_an_order_verb_without_an_addressee_goes_to_the_one_before() -> None:
    found = extract(
        "Các sở, ban, ngành tập trung siết chặt kỷ luật hành chính. "
        "Đặc biệt, yêu cầu chấp hành nghiêm giờ giấc làm việc; nghiêm cấm uống rượu, bia trong giờ làm việc."
    )

    assert [(d.content[:14], d.lead_agency) for d in found] == [
        ("Các sở, ban, n", GROUP_AGENCIES),
        ("Yêu cầu chấp h", GROUP_AGENCIES),
        ("Nghiêm cấm uốn", GROUP_AGENCIES),
    ]


def test_a_sentence_that_opens_with_an_assessment_gives_no_order_after_its_semicolons() -> None:
    text = (
        "Tuy nhiên, kỷ cương hành chính vẫn còn hạn chế: việc chấp hành giờ giấc chưa nghiêm; "
        "thực hiện chỉ đạo cấp trên còn chậm. Chủ tịch vừa ký Chỉ thị về tăng cường kỷ cương; "
        "nâng cao hiệu lực bộ máy."
    )

    assert extract(text) == []


def test_resolve_before_a_verb_of_its_own_opens_a_new_order() -> None:
    found = extract("Sở Nội vụ nâng cao trách nhiệm người đứng đầu; kiên quyết xử lý các trường hợp vi phạm.")

    assert len(found) == 2


def test_a_long_headline_without_punctuation_is_not_an_order() -> None:
    text = (
        "Nghiên cứu, đề xuất phương án sắp xếp tài sản công khi sáp nhập 3 huyện thành 1 huyện\n"
        "UBND tỉnh giao Sở Tài chính chủ trì nghiên cứu phương án."
    )

    assert [d.lead_agency for d in extract(text)] == ["STC"]


def test_an_unnumbered_line_handing_orders_out_gives_the_items_under_it_to_its_addressees() -> None:
    text = (
        "Ủy ban nhân dân tỉnh giao Ban Quản lý dự án đầu tư xây dựng tỉnh:\n"
        "1. Khẩn trương hoàn thành việc phê duyệt hồ sơ thiết kế trước ngày 15/4/2024.\n"
        "2. Phối hợp chặt chẽ với Văn phòng Ủy ban nhân dân tỉnh tổ chức bàn giao mặt bằng."
    )

    found = extract_directives(text, document_date=dt.date(2024, 4, 3), catalogue=catalogue_from([]))

    assert [(d.lead_agency_text, d.coordinating_agencies_text) for d in found] == [
        ("Ban Quản lý dự án đầu tư xây dựng tỉnh", []),
        ("Ban Quản lý dự án đầu tư xây dựng tỉnh", ["Văn phòng Ủy ban nhân dân tỉnh"]),
    ]


def test_a_purpose_before_the_issuer_does_not_hide_the_addressees_of_a_list() -> None:
    text = (
        "Để khắc phục các hạn chế nêu trên, Chủ tịch UBND tỉnh yêu cầu Giám đốc các sở, Thủ trưởng các "
        "ban, ngành tập trung triển khai thực hiện các nội dung sau:\n"
        "1. Tiếp tục quán triệt các quy định về cải cách hành chính.\n"
        "Triển khai công tác cải cách hành chính thống nhất, đồng bộ."
    )

    found = extract(text)

    assert [d.lead_agency for d in found] == [GROUP_AGENCIES, GROUP_AGENCIES]


def test_a_line_that_hands_nothing_out_or_a_new_section_gives_no_addressee() -> None:
    text = (
        "UBND tỉnh có ý kiến như sau:\n"
        "1. Rà soát hồ sơ dự án.\n"
        "Ủy ban nhân dân tỉnh giao Sở Tài chính:\n"
        "1. Cân đối kinh phí.\n"
        "II. NHIỆM VỤ KHÁC\n"
        "1. Rà soát các thủ tục còn lại."
    )

    assert [d.lead_agency for d in extract(text)] == [None, "STC", None]
