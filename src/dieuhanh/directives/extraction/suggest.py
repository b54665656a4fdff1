"""An optional proposal of who should lead an order whose text names no agency.

News reports rarely name agencies ("Tăng cường công tác quản lý Nhà nước về thu, chi ngân
sách"). The remit of each provincial department is fixed by law, so the field of a task points to
its usual lead; this table lists fields and the department whose remit they are, by name, and the
name is looked up in the catalogue (so it works for any province that has such a department).
The proposal is shown as a suggestion for the operator to confirm, never as something the text
said, and it is off unless asked for.
"""

from __future__ import annotations

from dieuhanh.directives.extraction.agencies import AgencyCatalogue

# (words of the field, department as documents name it). The first field found in the text wins
# ties; counts decide otherwise.
FIELDS: list[tuple[tuple[str, ...], str]] = [
    (("bệnh viện", "y tế", "khám chữa bệnh", "dịch bệnh", "an toàn thực phẩm"), "Sở Y tế"),
    (("năm học", "khai giảng", "trường học", "học sinh", "giáo dục", "đến trường"), "Sở Giáo dục và Đào tạo"),
    (("ngân sách", "thu, chi", "tài sản công", "giá cả"), "Sở Tài chính"),
    (
        ("đầu tư công", "vốn đầu tư", "môi trường đầu tư", "thu hút đầu tư", "vùng", "chủ đầu tư", "doanh nghiệp"),
        "Sở Kế hoạch và Đầu tư",
    ),
    (("cụm công nghiệp", "xuất khẩu", "thị trường", "thương mại", "điện"), "Sở Công Thương"),
    (("quyền sử dụng đất", "đất đai", "môi trường", "khoáng sản", "tài nguyên"), "Sở Tài nguyên và Môi trường"),
    # Not "xây dựng" alone: as a verb ("xây dựng kế hoạch") it says nothing about the field.
    (("quy hoạch chung", "quy hoạch xây dựng", "nhà ở", "đô thị", "công trình xây dựng"), "Sở Xây dựng"),
    (("giao thông", "ùn tắc", "cao tốc", "đường sắt"), "Sở Giao thông vận tải"),
    (("an ninh", "trật tự", "quốc phòng", "đề án 06", "camera", "phòng cháy"), "Công an tỉnh"),
    (
        ("an sinh xã hội", "hộ nghèo", "cận nghèo", "việc làm", "người lao động", "công nhân"),
        "Sở Lao động - Thương binh và Xã hội",
    ),
    (
        ("chuyển đổi số", "công nghệ số", "dịch vụ công trực tuyến", "thành phố thông minh", "dữ liệu", "ioc"),
        "Sở Thông tin và Truyền thông",
    ),
    (("cải cách hành chính", "công chức", "thi đua", "tổ chức bộ máy"), "Sở Nội vụ"),
    (("văn hóa", "du lịch", "thể thao"), "Sở Văn hóa, Thể thao và Du lịch"),
    (("nông nghiệp", "nông thôn", "ocop", "thủy lợi"), "Sở Nông nghiệp và Phát triển nông thôn"),
    (("khu công nghiệp",), "Ban Quản lý các khu công nghiệp"),
]


def suggest_lead(content: str, catalogue: AgencyCatalogue) -> str | None:
    """The code of the department whose field the order is most about, if the catalogue has it."""
    lower = content.lower()
    best: tuple[int, int, str] | None = None
    for order, (words, department) in enumerate(FIELDS):
        hits = [lower.find(w) for w in words if w in lower]
        if not hits:
            continue
        mentions = [m for m in catalogue.mentions(department) if m.kind == "unit" and m.code]
        if not mentions or mentions[0].code is None:
            continue
        score = (len(hits), -min(hits), mentions[0].code)
        if best is None or score[:2] > best[:2]:
            best = score
        del order
    return best[2] if best else None
