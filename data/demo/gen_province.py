#!/usr/bin/env python3
"""gen_province.py - writes data/demo/province.json, the DEMO organisation tree of the
fictional "Tỉnh Sông Xanh" after the 1 July 2025 two-level reform (no districts).

Inputs: only the tables below (department names as used after 2025, their divisions,
syllables for fictional commune names). Output: province.json next to this script, one
unit per line, parents before children, read by ts_org_import (src/org/org.h).
Run: python3 data/demo/gen_province.py   (deterministic; commit the JSON it writes)

Code scheme (13-character practice format L4L4L4.L3L3.L2L2.X99, letters meaningless):
  000.00.00.H99  provincial People's Committee       000.00.01.H99  province office
  000.00.02.H99  Public Administration Service Centre
  000.00.DD.H99  department DD (11..27)              000.0K.DD.H99  division K of DD
  BBB.00.NN.H99  commune/ward NN (31..99) of block BBB (000, then 001)
  BBB.01.NN.H99  that commune's one-stop service centre (its sub-unit 01)
The first commune (xa1) is 000.00.31.H99, Sở Tư pháp 000.00.12.H99 with its Phòng Hành chính
tư pháp 000.01.12.H99, Thanh tra tỉnh 000.00.25.H99: src/app/demo.c names these codes.
"""
import json
import os

PROVINCE = "Sông Xanh"
VALID_FROM = "2025-07-01"
LETTERS = "H99"  # not used by any real province

# (L2 number, name, short name, [divisions])
DEPARTMENTS = [
    (11, "Sở Nội vụ", "SNV", ["Văn phòng Sở", "Phòng Tổ chức, biên chế và Tổ chức phi chính phủ",
                              "Phòng Công chức, viên chức",
                              "Phòng Lao động, Tiền lương và Bảo hiểm xã hội"]),
    (12, "Sở Tư pháp", "STP", ["Phòng Hành chính tư pháp", "Văn phòng Sở", "Phòng Bổ trợ tư pháp",
                               "Phòng Xây dựng, kiểm tra và theo dõi thi hành pháp luật"]),
    (13, "Sở Tài chính", "STC", ["Văn phòng Sở", "Phòng Đăng ký kinh doanh",
                                 "Phòng Quản lý ngân sách", "Phòng Tài chính doanh nghiệp"]),
    (14, "Sở Công Thương", "SCT", ["Văn phòng Sở", "Phòng Quản lý thương mại",
                                   "Phòng Quản lý năng lượng",
                                   "Phòng Kỹ thuật an toàn và Môi trường"]),
    (15, "Sở Nông nghiệp và Môi trường", "SNNMT", ["Văn phòng Sở", "Phòng Quản lý đất đai",
                                                   "Phòng Trồng trọt và Bảo vệ thực vật",
                                                   "Phòng Tài nguyên nước, khoáng sản"]),
    (16, "Sở Xây dựng", "SXD", ["Văn phòng Sở", "Phòng Quản lý hoạt động xây dựng",
                                "Phòng Quản lý vận tải, phương tiện và người lái",
                                "Phòng Quy hoạch - Kiến trúc"]),
    (17, "Sở Khoa học và Công nghệ", "SKHCN", ["Văn phòng Sở", "Phòng Chuyển đổi số",
                                               "Phòng Bưu chính, Viễn thông",
                                               "Phòng Quản lý khoa học"]),
    (18, "Sở Giáo dục và Đào tạo", "SGDĐT", ["Văn phòng Sở", "Phòng Giáo dục phổ thông",
                                             "Phòng Quản lý chất lượng"]),
    (19, "Sở Y tế", "SYT", ["Văn phòng Sở", "Phòng Nghiệp vụ Y", "Phòng Nghiệp vụ Dược",
                            "Phòng Bảo trợ xã hội, Trẻ em và Phòng, chống tệ nạn xã hội"]),
    (20, "Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL", ["Văn phòng Sở",
                                                        "Phòng Quản lý văn hóa và Gia đình",
                                                        "Phòng Quản lý du lịch",
                                                        "Phòng Báo chí, Xuất bản"]),
    (21, "Sở Ngoại vụ", "SNgV", ["Văn phòng Sở",
                                 "Phòng Lãnh sự và Người Việt Nam ở nước ngoài"]),
    (22, "Sở Dân tộc và Tôn giáo", "SDTTG", ["Văn phòng Sở", "Phòng Chính sách dân tộc",
                                             "Phòng Quản lý tôn giáo"]),
    (23, "Ban Quản lý các khu công nghiệp", "BQLKCN", ["Văn phòng Ban", "Phòng Quản lý đầu tư",
                                                       "Phòng Quản lý lao động và Doanh nghiệp"]),
    (24, "Công an tỉnh", "CAT", ["Phòng Cảnh sát quản lý hành chính về trật tự xã hội",
                                 "Phòng Cảnh sát giao thông", "Phòng Quản lý xuất nhập cảnh"]),
    (25, "Thanh tra tỉnh", "TTT", ["Văn phòng", "Phòng Tiếp công dân và Xử lý đơn thư",
                                   "Phòng Nghiệp vụ 1", "Phòng Nghiệp vụ 2"]),
    (26, "Bảo hiểm xã hội tỉnh", "BHXH", ["Văn phòng", "Phòng Thu - Quản lý sổ, thẻ",
                                          "Phòng Chế độ bảo hiểm xã hội"]),
    (27, "Thuế tỉnh", "THUE", ["Văn phòng", "Phòng Kê khai và Kế toán thuế",
                               "Phòng Quản lý hộ kinh doanh, cá nhân"]),
]

# Fictional commune names: first syllable x second syllable, same syllable never twice.
FIRST = ["An", "Bình", "Đông", "Hòa", "Hưng", "Kim", "Long", "Minh", "Mỹ", "Nam", "Ngọc",
         "Phú", "Phúc", "Quảng", "Tân", "Thạnh", "Thanh", "Thuận", "Trung", "Vĩnh", "Xuân",
         "Yên"]
SECOND = ["Bình", "Lộc", "Sơn", "Hòa", "Thành", "Lâm", "Hưng", "Phú", "Tân", "Lợi"]
N_COMMUNES, N_WARDS, N_SPECIAL = 79, 20, 1


def code(l4, l3, l2):
    return "%03d.%02d.%02d.%s" % (l4, l3, l2, LETTERS)


def place_names(n):
    names = []
    for j in range(len(SECOND)):
        for i in range(len(FIRST)):
            a, b = FIRST[i], SECOND[(i + j) % len(SECOND)]
            if a != b and a + " " + b not in names:
                names.append(a + " " + b)
    return names[:n]


def unit(c, name, kind, parent=None, short=None):
    u = {"code": c, "name": name}
    if short:
        u["short_name"] = short
    u["kind"] = kind
    if parent:
        u["parent_code"] = parent
    u["valid_from"] = VALID_FROM
    return u


def build():
    pc = code(0, 0, 0)
    units = [
        unit(pc, "Ủy ban nhân dân tỉnh " + PROVINCE, "province_pc", short="UBND tỉnh"),
        unit(code(0, 0, 1), "Văn phòng Ủy ban nhân dân tỉnh " + PROVINCE, "province_office", pc,
             "VP UBND"),
        unit(code(0, 0, 2), "Trung tâm Phục vụ hành chính công tỉnh " + PROVINCE, "one_stop", pc,
             "TTPVHCC"),
    ]
    for l2, name, short, divisions in DEPARTMENTS:
        full = name + " " + PROVINCE if name.endswith("tỉnh") else name
        units.append(unit(code(0, 0, l2), full, "department", pc, short))
        for k, div in enumerate(divisions, start=1):
            units.append(unit(code(0, k, l2), div, "division", code(0, 0, l2)))
    names = place_names(N_COMMUNES + N_WARDS + N_SPECIAL)
    counters = {"commune": 0, "ward": 0, "special_zone": 0}
    prefix = {"commune": ("Xã", "xa"), "ward": ("Phường", "phuong"),
              "special_zone": ("Đặc khu", "dackhu")}
    for idx, place in enumerate(names):
        kind = ("commune" if idx < N_COMMUNES else
                "ward" if idx < N_COMMUNES + N_WARDS else "special_zone")
        counters[kind] += 1
        word, short = prefix[kind]
        block, l2 = idx // 69, 31 + idx % 69
        c = code(block, 0, l2)
        units.append(unit(c, word + " " + place, kind, pc, "%s%d" % (short, counters[kind])))
        units.append(unit(code(block, 1, l2),
                          "Trung tâm Phục vụ hành chính công " + word.lower() + " " + place,
                          "one_stop", c))
    return units


def main():
    units = build()
    doc_head = {
        "note": ("DỮ LIỆU MẪU - tỉnh Sông Xanh không có thật; tên và mã định danh chỉ để "
                 "thử nghiệm, không phải mã của cơ quan thật. DEMO DATA: a fictional "
                 "province after the 1 July 2025 two-level reform; codes are not real."),
        "province": "Tỉnh %s (dữ liệu mẫu)" % PROVINCE,
        "generated_by": "data/demo/gen_province.py",
    }
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "province.json")
    with open(out, "w", encoding="utf-8") as f:
        f.write("{\n")
        for k, v in doc_head.items():
            f.write(" %s: %s,\n" % (json.dumps(k), json.dumps(v, ensure_ascii=False)))
        f.write(' "units": [\n')
        f.write(",\n".join("  " + json.dumps(u, ensure_ascii=False) for u in units))
        f.write("\n ]\n}\n")
    kinds = {}
    for u in units:
        kinds[u["kind"]] = kinds.get(u["kind"], 0) + 1
    print("wrote %s: %d units %s" % (out, len(units), kinds))


if __name__ == "__main__":
    main()
