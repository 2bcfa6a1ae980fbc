"""The Chinese README keeps the English one's two commands and links back, so a reader of
either finds the same way in."""

import re

from streamlab.config import ROOT


def two_commands(text: str) -> list[str]:
    """The commands of the first bash block: the ones a newcomer types."""
    block = re.search(r"```bash\n(.*?)```", text, flags=re.DOTALL)
    assert block, "no bash block"
    return [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_both_readmes_give_the_same_two_commands_and_link_each_other():
    english = (ROOT / "README.md").read_text(encoding="utf-8")
    chinese = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")
    assert two_commands(english) == ["make demo", "make check"]
    assert two_commands(chinese) == two_commands(english)
    assert "(README.zh-CN.md)" in english.split("\n## ")[0], "README.md links the Chinese one"
    assert "(README.md)" in chinese.split("\n## ")[0], "README.zh-CN.md links back"
