"""Reading the markup inside data: where HTML hides text, and the text a reader actually sees.

Signals scraped from pages, CRM fields and replies often carry HTML. Two readers need the same facts:
the injection detector (hidden text is examined with a lower bar) and the output sanitiser (hidden text
never reaches an email). Offsets always point into the string given, so a finding can quote it exactly.
"""

import functools
import html
import re
import unicodedata
from dataclasses import dataclass

# Characters that render as nothing: zero-width spaces and joiners, directional marks, word joiner and
# invisible operators, the byte-order mark, and the tag characters (which can spell hidden ASCII).
INVISIBLE = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\U000e0000-\U000e007f]")
TAG_CHARACTERS = re.compile("[\U000e0000-\U000e007f]+")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_TAG = re.compile(
    r"<(/?)([a-zA-Z][\w:-]*)((?:\s+[^\s=>/]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*(/?)>",
    re.DOTALL,
)
_ATTRIBUTE = re.compile(r"([^\s=>/]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")
_LOOKS_LIKE_HTML = re.compile(
    r"<!--|</?[a-zA-Z][\w:-]*(?:\s[^<>]*)?/?>|&(?:[a-zA-Z]{2,8}|#\d{2,5}|#x[0-9a-fA-F]{2,5});"
)
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_NOT_TEXT = {"script", "style", "head", "title", "template", "noscript", "svg"}
_BLOCK = {"p", "div", "br", "li", "tr", "td", "th", "table", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
          "blockquote", "section", "article", "header", "footer", "ul", "ol"}  # fmt: skip
# Outlook's conditional comments carry layout for one mail client, not hidden text.
_CONDITIONAL_COMMENT = re.compile(r"^<!--\s*\[(?:if|endif)", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    return bool(_LOOKS_LIKE_HTML.search(text or ""))


@dataclass(frozen=True)
class Region:
    """Text a reader does not see: an element hidden by its style, or a comment."""

    kind: str  # hidden_css, white_on_white, html_comment
    start: int  # the whole element or comment, in the source
    end: int
    inner_start: int  # its content
    inner_end: int
    reason: str


# --- styles --------------------------------------------------------------------------------------

_NAMED_COLOURS = {
    "white": (255, 255, 255), "black": (0, 0, 0), "snow": (255, 250, 250), "ivory": (255, 255, 240),
    "whitesmoke": (245, 245, 245), "ghostwhite": (248, 248, 255), "floralwhite": (255, 250, 240),
    "linen": (250, 240, 230), "gray": (128, 128, 128), "grey": (128, 128, 128), "silver": (192, 192, 192),
    "red": (255, 0, 0), "green": (0, 128, 0), "blue": (0, 0, 255), "yellow": (255, 255, 0),
    "transparent": None,
}  # fmt: skip
_DEFAULT_BACKGROUND = (255, 255, 255)


def _colour(value: str) -> tuple[int, int, int] | None:
    value = value.strip().lower().removesuffix("!important").strip()
    if value in _NAMED_COLOURS:
        return _NAMED_COLOURS[value]
    if match := re.fullmatch(r"#([0-9a-f]{3}|[0-9a-f]{6})", value):
        digits = match.group(1)
        if len(digits) == 3:
            digits = "".join(character * 2 for character in digits)
        return tuple(int(digits[index : index + 2], 16) for index in (0, 2, 4))
    if match := re.fullmatch(r"rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*([\d.]+)\s*)?\)", value):
        if match.group(4) is not None and float(match.group(4)) < 0.1:
            return None  # transparent text is hidden by opacity, handled there
        return tuple(min(255, int(match.group(index))) for index in (1, 2, 3))
    return None


def _declarations(style: str) -> dict[str, str]:
    found = {}
    for part in style.split(";"):
        name, _, value = part.partition(":")
        if value:
            found[name.strip().lower()] = value.strip().lower().removesuffix("!important").strip()
    return found


def _length_is_zero(value: str) -> bool:
    return bool(re.fullmatch(r"0(?:\.0+)?(?:px|pt|em|rem|%|vh|vw)?", value.strip()))


def _tiny(value: str) -> bool:
    match = re.fullmatch(r"([\d.]+)(px|pt)?", value.strip())
    return bool(match) and float(match.group(1)) <= 1


def _offscreen(value: str) -> bool:
    match = re.fullmatch(r"-\s*([\d.]+)(px|pt|em|rem)?", value.strip())
    if not match:
        return False
    amount = float(match.group(1)) * (16 if match.group(2) in {"em", "rem"} else 1)
    return amount >= 500


def hiding_reason(declarations: dict[str, str]) -> str:
    """Why a style makes its text invisible, or ''."""
    if declarations.get("display") == "none":
        return "display:none"
    if declarations.get("visibility") in {"hidden", "collapse"}:
        return "visibility:hidden"
    if "font-size" in declarations and (_length_is_zero(declarations["font-size"]) or _tiny(declarations["font-size"])):
        return "font-size:0"
    for name in ("width", "height", "max-width", "max-height"):
        if name in declarations and _length_is_zero(declarations[name]):
            if name.startswith("max-") or declarations.get("overflow") == "hidden" or name == "height":
                return f"{name}:0"
            return f"{name}:0"
    if "opacity" in declarations:
        try:
            if float(declarations["opacity"].rstrip("%")) <= 0.05:
                return "opacity:0"
        except ValueError:
            pass
    for name in ("left", "top", "text-indent", "margin-left", "margin-top", "right"):
        if name in declarations and _offscreen(declarations[name]):
            return f"off-screen ({name})"
    if re.search(r"rect\(\s*0(?:px)?[\s,]+0(?:px)?[\s,]+0(?:px)?[\s,]+0", declarations.get("clip", "")):
        return "clip:rect(0,0,0,0)"
    if re.search(r"scale\(\s*0(?:\.0+)?\s*\)", declarations.get("transform", "")):
        return "transform:scale(0)"
    return ""


def _background(declarations: dict[str, str], attributes: dict[str, str]) -> tuple[int, int, int] | None:
    for value in (declarations.get("background-color"), declarations.get("background"), attributes.get("bgcolor")):
        if value:
            for word in [value, *value.split()]:
                colour = _colour(word)
                if colour is not None:
                    return colour
    return None


def _same_colour(one: tuple[int, int, int], other: tuple[int, int, int]) -> bool:
    return sum(abs(left - right) for left, right in zip(one, other, strict=True)) <= 30


# --- elements ------------------------------------------------------------------------------------


def _attributes(raw: str) -> dict[str, str]:
    found = {}
    for match in _ATTRIBUTE.finditer(raw or ""):
        value = match.group(2) or ""
        if value[:1] in {'"', "'"}:
            value = value[1:-1]
        found[match.group(1).lower()] = html.unescape(value)
    return found


def _stylesheet_hidden_selectors(source: str) -> set[str]:
    """Classes and ids a <style> block hides (".preheader{display:none}")."""
    hidden = set()
    for block in re.findall(r"<style[^>]*>(.*?)</style>", source, re.DOTALL | re.IGNORECASE):
        for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", block):
            if not hiding_reason(_declarations(body)):
                continue
            for selector in selectors.split(","):
                if match := re.fullmatch(r"\s*[\w-]*([.#][\w-]+)\s*", selector):
                    hidden.add(match.group(1))
    return hidden


@dataclass
class _Open:
    name: str
    start: int
    inner_start: int
    kind: str  # the hiding kind this element starts, or ""
    reason: str
    background: tuple[int, int, int]
    hidden_by_parent: bool


def hidden_regions(source: str) -> list[Region]:
    """Every hidden element and comment in `source`, outermost only, in order."""
    if not looks_like_html(source):
        return []
    regions: list[Region] = []
    hidden_selectors = _stylesheet_hidden_selectors(source)
    comments = [match.span() for match in _COMMENT.finditer(source)]
    for start, end in comments:
        if _CONDITIONAL_COMMENT.match(source[start:end]):
            continue
        inner_end = end - 3 if source[start:end].endswith("-->") else end
        regions.append(Region("html_comment", start, end, start + 4, inner_end, "HTML comment"))
    stack: list[_Open] = []

    def close(element: _Open, end: int, inner_end: int) -> None:
        if element.kind and not element.hidden_by_parent:
            regions.append(Region(element.kind, element.start, end, element.inner_start, inner_end, element.reason))

    for match in _TAG.finditer(source):
        if any(left <= match.start() < right for left, right in comments):
            continue
        closing, name = match.group(1), match.group(2).lower()
        raw_attributes, self_closing = match.group(3), match.group(4)
        if closing:
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth].name == name:
                    while len(stack) > depth:
                        close(stack.pop(), match.end(), match.start())
                    break
            continue
        attributes = _attributes(raw_attributes)
        declarations = _declarations(attributes.get("style", ""))
        parent_background = stack[-1].background if stack else _DEFAULT_BACKGROUND
        background = _background(declarations, attributes) or parent_background
        kind, reason = "", hiding_reason(declarations)
        if not reason and "hidden" in attributes:
            reason = "hidden attribute"
        if not reason:
            selectors = {f".{cls}" for cls in attributes.get("class", "").split()} | {f"#{attributes.get('id', '')}"}
            if selectors & hidden_selectors:
                reason = "hidden by a style rule"
        if reason:
            kind = "hidden_css"
        else:
            colour = _colour(declarations.get("color", "") or attributes.get("color", ""))
            if colour is not None and _same_colour(colour, background):
                kind, reason = "white_on_white", "text coloured like its background"
        element = _Open(name, match.start(), match.end(), kind, reason, background,
                        hidden_by_parent=any(open_.kind for open_ in stack))  # fmt: skip
        if name in _VOID or self_closing:
            continue  # no content to hide
        stack.append(element)
    while stack:
        close(stack.pop(), len(source), len(source))
    regions.sort(key=lambda region: region.start)
    outermost: list[Region] = []
    for region in regions:
        if outermost and region.start < outermost[-1].end:
            continue
        outermost.append(region)
    return outermost


# --- the text a reader sees ----------------------------------------------------------------------


# Cyrillic and Greek letters drawn like Latin ones, as their Latin twin: "Іgnоrе" written with Cyrillic
# І, о and е reads as the word it imitates. (Lower case: fold lower-cases first.)
_LATIN_TWIN = str.maketrans(
    "аеорсухіјѕԁԛԝһӏɡαοντικυϲ",
    "aeopcyxijsdqwhlgaovtikuc",
)


# Every scan folds every character of its input, and a message uses few distinct characters: remembered,
# folding a reply costs a lookup per character instead of a normalisation. Bounded, as text may use any.
@functools.lru_cache(maxsize=65536)
def fold(character: str) -> str:
    """One character, lower-cased and without accents, so lexicons match 'Système' as 'systeme' (and a
    Cyrillic look-alike as the Latin letter it imitates)."""
    lowered = character.lower().translate(_LATIN_TWIN)
    if len(lowered) != 1:
        return character
    base = unicodedata.normalize("NFKD", lowered)[:1]
    return base if base and not unicodedata.combining(base) else lowered


@dataclass(frozen=True)
class View:
    """Text as read, folded for matching, with the source offset of every character."""

    text: str
    positions: tuple[int, ...]

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        end = max(end, start + 1)
        return self.positions[start], self.positions[end - 1] + 1


def read(
    source: str, start: int = 0, end: int | None = None, *, markup: bool, skip: list[Region] = (), folded: bool = True
) -> View:
    """The readable text of source[start:end]: tags become spaces, entities their characters, invisible
    characters vanish, skipped regions and script/style content are dropped. `folded`: lower case and
    without accents, for matching; otherwise the characters as written."""
    end = len(source) if end is None else end
    if not markup and not skip and not INVISIBLE.search(source, start, end):
        # Plain text without invisible characters, most of what is read: each character stays in its place.
        plain = source[start:end].replace("\u00a0", " ")
        return View("".join(map(fold, plain)) if folded else plain, tuple(range(start, end)))
    fold_or_keep = fold if folded else (lambda character: character)
    characters: list[str] = []
    positions: list[int] = []
    index = start
    skipping_until = {region.start: region.end for region in skip}
    while index < end:
        if index in skipping_until:
            index = skipping_until[index]
            continue
        character = source[index]
        if markup and character == "<":
            comment = _COMMENT.match(source, index)
            if comment:
                index = comment.end()
                continue
            tag = _TAG.match(source, index)
            if tag:
                name = tag.group(2).lower()
                if name in _NOT_TEXT and not tag.group(1):
                    closing = re.compile(rf"</{name}\s*>", re.IGNORECASE).search(source, tag.end())
                    index = closing.end() if closing else end
                else:
                    index = tag.end()
                characters.append("\n" if name in _BLOCK else " ")
                positions.append(tag.start())
                continue
        if markup and character == "&":
            entity = re.match(r"&(?:[a-zA-Z]{2,10}|#\d{1,7}|#[xX][0-9a-fA-F]{1,6});", source[index : index + 12])
            if entity:
                for decoded in html.unescape(entity.group(0)):
                    characters.append(fold_or_keep(decoded) if not INVISIBLE.match(decoded) else "")
                    positions.append(index)
                index += len(entity.group(0))
                continue
        if not INVISIBLE.match(character):
            characters.append(" " if character == "\u00a0" else fold_or_keep(character))
            positions.append(index)
        index += 1
    pairs = [(character, position) for character, position in zip(characters, positions, strict=True) if character]
    return View("".join(character for character, _ in pairs), tuple(position for _, position in pairs))


def strip_invisible(text: str) -> str:
    return INVISIBLE.sub("", _CONTROL.sub("", text))
