"""Made-up Chinese names and mobile numbers, for benchmark data (seed_bench)."""

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓"
GIVEN = [
    "建国", "秀英", "丽华", "志强", "海燕", "国华", "桂兰", "伟", "芳", "娜",
    "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛",
    "明", "超", "霞", "平", "刚", "小雨", "晓晨", "子涵", "欣怡", "浩然",
]  # fmt: skip


def person_name(rng):
    """A common surname and given name, e.g. 刘小雨."""
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def mobile(number, *, prefix=138):
    """The number-th mobile number of a block, as the site stores it: +86138…"""
    return f"+86{prefix * 10**8 + number}"
