"""Realistic Chinese company and person names, for demo data and benchmarks."""

import random

CITIES = [
    ("44", "4401", "广州"), ("44", "4403", "深圳"), ("44", "4406", "佛山"), ("44", "4419", "东莞"),
    ("11", "1101", "北京"), ("31", "3101", "上海"), ("12", "1201", "天津"), ("50", "5001", "重庆"),
    ("32", "3201", "南京"), ("32", "3205", "苏州"), ("32", "3202", "无锡"), ("33", "3301", "杭州"),
    ("33", "3302", "宁波"), ("33", "3307", "金华"), ("35", "3502", "厦门"), ("35", "3501", "福州"),
    ("37", "3702", "青岛"), ("37", "3701", "济南"), ("42", "4201", "武汉"), ("43", "4301", "长沙"),
    ("51", "5101", "成都"), ("61", "6101", "西安"), ("41", "4101", "郑州"), ("34", "3401", "合肥"),
    ("21", "2101", "沈阳"), ("21", "2102", "大连"), ("53", "5301", "昆明"), ("45", "4501", "南宁"),
    ("36", "3601", "南昌"), ("13", "1301", "石家庄"), ("14", "1401", "太原"), ("22", "2201", "长春"),
    ("23", "2301", "哈尔滨"), ("52", "5201", "贵阳"), ("46", "4601", "海口"), ("62", "6201", "兰州"),
]
BRAND = list("华恒金瑞宏泰鑫丰盛达通源联创嘉禾博远兴隆中科天宇新汇美佳安信德瑞祥和力诚康明东方志远星辰海川腾飞卓越")
TRADES = [
    ("电子", "it"), ("科技", "it"), ("信息技术", "it"), ("软件", "it"), ("贸易", "wholesale"),
    ("商贸", "wholesale"), ("实业", "manufacturing"), ("机械", "manufacturing"), ("精密制造", "manufacturing"),
    ("化工", "energy"), ("新能源", "energy"), ("物流", "logistics"), ("供应链", "logistics"),
    ("建材", "construction"), ("建筑工程", "construction"), ("食品", "food"), ("饮料", "food"),
    ("医药", "healthcare"), ("医疗器械", "healthcare"), ("纺织", "manufacturing"), ("服饰", "wholesale"),
    ("家具", "manufacturing"), ("汽车配件", "manufacturing"), ("教育咨询", "education"), ("置业", "realestate"),
    ("投资", "finance"), ("环保科技", "energy"), ("包装材料", "manufacturing"), ("五金", "manufacturing"),
]
SUFFIXES = ["有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司", "集团有限公司"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志文斌浩宇欣怡子涵俊杰晓东海燕雪梅")
TITLES = ["总经理", "采购经理", "采购主管", "财务经理", "技术总监", "行政主管", "董事长", "副总经理", "项目经理",
          "销售总监", "仓储主管", "工程师"]


def company_name(rng: random.Random):
    province, city, city_name = rng.choice(CITIES)
    brand = "".join(rng.sample(BRAND, 2))
    trade, industry = rng.choice(TRADES)
    prefix = city_name if rng.random() < 0.7 else ""
    return f"{prefix}{brand}{trade}{rng.choice(SUFFIXES)}", industry, province, city


def person_name(rng: random.Random):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def mobile(rng: random.Random):
    return rng.choice(["138", "139", "136", "135", "158", "186", "189", "177", "150", "133"]) + \
        f"{rng.randrange(10**8):08d}"


# Area codes of cities with eight-digit numbers, so every generated landline is a real
# number to libphonenumber (a random "0xyz" mostly is not).
AREA_CODES = {"11": "010", "31": "021", "44": "020", "12": "022", "50": "023", "21": "024", "32": "025",
              "42": "027", "51": "028", "61": "029", "13": "0311", "41": "0371", "22": "0431", "23": "0451",
              "37": "0531", "34": "0551", "33": "0571", "35": "0591", "43": "0731", "36": "0791", "52": "0851",
              "53": "0871", "46": "0898"}
OTHER_AREA_CODES = ["0755", "0512", "0769", "0757", "0574", "0532"]


def landline(rng: random.Random, province):
    area = AREA_CODES.get(province) or rng.choice(OTHER_AREA_CODES)
    return f"{area}-{rng.randint(2000_0000, 8999_9999)}"
