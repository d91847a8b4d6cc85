"""Administrative division codes (行政区划代码): what the first digits of a district's code say."""

from __future__ import annotations

PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省",
    "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区",
    "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省",
    "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区", "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}

# Prefecture-level cities known here; a district elsewhere names its city when it onboards.
CITIES = {
    "6101": "西安市", "6102": "铜川市", "6103": "宝鸡市", "6104": "咸阳市", "6105": "渭南市",
    "6106": "延安市", "6107": "汉中市", "6108": "榆林市", "6109": "安康市", "6110": "商洛市",
}


def province_of(code: str) -> str | None:
    return PROVINCES.get(code[:2])


def city_of(code: str) -> str | None:
    return CITIES.get(code[:4])


def is_district_level(code: str) -> bool:
    """A district's (county's) code does not end in 00; a city's or province's does."""
    return len(code) == 6 and code[4:] != "00"
