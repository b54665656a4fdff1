"""Words that carry the structure of Vietnamese directives, kept in one place.

Everything here is lower case and in the normalised spelling (``họa``, ``thủy``); the
extractor compares lower-cased, normalised text with it. The lists describe the language of
orders in general (what an order starts with, what closes a document), not any one document.
"""

from __future__ import annotations

# Verbs and adverbs an order starts with, once its subject and roles are set aside
# ("Sở Y tế [chủ trì, phối hợp với …] khẩn trương …"). Multi-word entries first where one
# entry is a prefix of another does not matter: matching is by whole words.
DIRECTIVE_STARTS: frozenset[str] = frozenset(
    (
        "tập trung", "đẩy nhanh", "đẩy mạnh", "khẩn trương", "tiếp tục", "tăng cường", "chủ động", "phát huy",
        "nâng cao", "nâng cấp", "hoàn chỉnh", "hoàn thiện", "hoàn thành", "đảm bảo", "bảo đảm", "phối hợp", "chủ trì",
        "rà soát", "kịp thời", "xây dựng", "triển khai", "tổ chức", "thực hiện", "chỉ đạo", "tham mưu", "báo cáo",
        "kiểm tra", "đôn đốc", "theo dõi", "quan tâm", "chuẩn bị", "giải quyết", "hướng dẫn", "ban hành", "trình",
        "đề xuất", "nghiên cứu", "cải thiện", "thông báo", "chấn chỉnh", "xử lý", "tuyên truyền", "quán triệt",
        "xác định", "cân đối", "bố trí", "khảo sát", "kiểm soát", "lắp đặt", "tổng hợp", "cập nhật", "số hóa",
        "phủ sóng", "hỗ trợ", "thúc đẩy", "giám sát", "công khai", "quản lý", "vận hành", "phê duyệt", "thẩm định",
        "điều chỉnh", "sửa đổi", "bổ sung", "di dời", "bàn giao", "ra quân", "lập lại", "huy động", "vận động",
        "phân bổ", "giải ngân", "thanh toán", "quyết toán", "thu hồi", "điều tra", "phổ biến", "tập huấn", "đào tạo",
        "bồi dưỡng", "tuyển dụng", "sắp xếp", "kiện toàn", "lập", "phòng, chống", "phòng chống", "phòng ngừa",
        "ngăn chặn", "khắc phục", "sửa chữa", "duy trì", "mở rộng", "phát triển", "ứng dụng", "kết nối", "chia sẻ",
        "tích hợp", "đăng tải", "cung cấp", "tiếp nhận", "phân công", "kiến nghị", "nắm bắt", "nắm", "đánh giá",
        "kiên quyết", "quyết liệt", "tuyệt đối", "nghiêm cấm", "không để", "phấn đấu", "ưu tiên", "sớm", "mở", "đưa",
        "khởi công", "khánh thành", "thu hút", "kêu gọi", "tìm kiếm", "tháo gỡ", "khơi thông", "làm rõ", "xem xét",
        "tạm dừng", "thanh tra", "xác minh", "chấm dứt", "kéo giảm", "tiết kiệm", "mua sắm", "chi trả", "chăm lo",
        "định kỳ", "hằng tháng", "hàng tháng", "hằng quý", "hàng quý", "hằng năm", "hàng năm", "thường xuyên",
        "liên tục", "gửi", "cử", "chấp hành", "lựa chọn", "ký", "dự báo", "cảnh báo", "tổ chức lại", "can thiệp",
        "đăng ký", "sẵn sàng", "phát động",
    )
)  # fmt: skip

# A clause after ";" starts a new order only if it starts like one; these starts do not count,
# because they continue the clause before ("…; trong đó tập trung …", "…; không sử dụng rượu").
CONTINUATION_STARTS: frozenset[str] = frozenset(
    {"tuyệt đối", "không để", "kiên quyết", "quyết liệt", "sớm", "ưu tiên", "nhất là", "trong đó", "đặc biệt là"}
)

# Words that open a clause without being part of the order ("Cụ thể, tập trung …").
CONNECTORS: tuple[str, ...] = (
    "cụ thể",
    "đồng thời",
    "ngoài ra",
    "bên cạnh đó",
    "mặt khác",
    "trước mắt",
    "về lâu dài",
    "trong thời gian tới",
    "thời gian tới",
    "tiếp theo",
    "theo đó",
    "do đó",
    "vì vậy",
    "vì thế",
    "qua đó",
    "và",
    "đặc biệt,",
)

# Phrases before the subject that set the scene ("Phát biểu chỉ đạo, …", "Đối với dự án X, …").
SCENE_SETTERS = (
    r"^(?:phát biểu(?:\s+(?:chỉ đạo|kết luận))?(?:\s+tại\s+[^,]{1,80})?|kết luận\s+(?:cuộc họp|buổi làm việc)|"
    r"đối với\s+[^,]{1,80}|về\s+[^,]{1,60}|tại\s+(?:cuộc họp|buổi làm việc|hội nghị)[^,]{0,60}),\s*"
)

# Modal words between a subject and its verb ("… có trách nhiệm tổ chức …", "… cần tập trung …").
MODALS: tuple[str, ...] = ("có trách nhiệm", "chịu trách nhiệm", "cần phải", "cần", "phải", "được giao")

# What the issuer says when it hands out an order; the agency named next is the lead.
ORDER_VERBS: tuple[str, ...] = ("giao cho", "giao", "yêu cầu", "đề nghị", "ủy quyền cho", "ủy quyền")
# The issuer itself, as a sentence may name it before an order verb.
# News reports shorten the title after its first use ("Phó Chủ tịch nhấn mạnh"), and put an adverb
# before the verb ("… cũng đề nghị …").
ISSUER = (
    r"(?:(?:đồng chí\s+)?(?:phó\s+)?chủ tịch(?:\s+(?:ủy ban nhân dân|ubnd)\s+tỉnh)?|(?:ủy ban nhân dân|ubnd)\s+tỉnh|"
    r"lãnh đạo tỉnh)(?:\s+(?:cũng|đồng thời|tiếp tục|đã))?"
)

# A predicate that starts like this reports or judges; it does not order.
NOT_AN_ORDER_STARTS: tuple[str, ...] = ("đã", "vừa", "đang", "được", "đạt", "là", "có", "sẽ", "chưa", "còn")

# Titles before an agency that make its head the subject ("Giám đốc Sở Y tế", "Chủ tịch UBND …").
TITLES: tuple[str, ...] = (
    "giám đốc",
    "thủ trưởng",
    "chủ tịch",
    "trưởng ban",
    "trưởng",
    "chánh",
    "lãnh đạo",
    "người đứng đầu",
)

# Words that name a kind of agency: a capitalised name starting with one of them is an agency,
# known to the catalogue or not.
AGENCY_TYPE_WORDS: tuple[str, ...] = (
    "Sở",
    "Ban",
    "Cục",
    "Chi cục",
    "Bộ Chỉ huy",
    "Báo",
    "Đài",
    "Trung tâm",
    "Thanh tra",
    "Văn phòng",
    "Kho bạc",
    "Công an",
    "Bảo hiểm",
    "Liên đoàn",
    "Tỉnh đoàn",
    "Hội",
    "Viện",
    "Bệnh viện",
    "Tổng công ty",
    "Công ty",
    "Ngân hàng",
    "Quỹ",
    "Phòng",
    "Ủy ban",
)

# Agencies whose name is complete with a lower-case word, or an abbreviation ("Công an tỉnh" is
# read by its own rule): capitalised, they start a name the catalogue may not know.
SELF_CONTAINED_AGENCIES: tuple[str, ...] = (
    "tỉnh đoàn",
    "thanh tra tỉnh",
    "bảo hiểm xã hội",
    "bhxh",
    "kbnn",
    "bql",
    "ban qlda",
)

# Lines after which nothing is an order: the recipients and the signature block.
END_OF_TEXT_PREFIXES: tuple[str, ...] = ("nơi nhận",)
SIGNATURE_LINES: tuple[str, ...] = ("tm.", "kt.", "tl.", "tuq.", "(đã ký)", "đã ký", "(ký)")

# Sections of a plan or a notice that hold aims, targets, findings or funding, not tasks.
NON_TASK_SECTIONS: tuple[str, ...] = (
    "mục đích",
    "yêu cầu",
    "mục tiêu",
    "chỉ tiêu",
    "căn cứ",
    "kinh phí",
    "đánh giá",
    "kết quả",
    "tình hình",
    "sự cần thiết",
    "quan điểm",
)

# Formulas that close a document; they hand out no task of their own.
CLOSING_FORMULAS: tuple[str, ...] = (
    r"\bđể\s+(?:các\s+[\w\s,]+?\s+)?biết(?:\s*,\s*|\s+và\s+)(?:thực hiện|phối hợp)",
    r"^trong quá trình (?:triển khai|thực hiện)[^,]*,\s*nếu có",
    r"^(?:kính\s+)?(?:đề nghị|yêu cầu)\s+các\s+cơ quan,?\s+đơn vị\s+(?:quan tâm|biết)",
)

# Groups of agencies: their codes are in dieuhanh.directives.choices (see docs/directives.md).
