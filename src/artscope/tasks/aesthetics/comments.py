"""Grounded comments and the three-level description: every sentence states measured numbers and
names the measurement keys it states (``Sentence.cites``), and says the same in plain words for
visitors (``Sentence.plain``: no numbers, no jargon; the page shows it and keeps the measured sentence,
the numbers and how they were measured one click away).

A sentence is only written when all of its measurements exist, so nothing unmeasured is claimed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from artscope.tasks.aesthetics.result import Description, Measurement, Sentence

COLOURFULNESS_WORDS = (
    (15, "not colourful"),
    (33, "slightly colourful"),
    (45, "moderately colourful"),
    (59, "averagely colourful"),
    (82, "quite colourful"),
    (109, "highly colourful"),
    (float("inf"), "extremely colourful"),
)
"""Hasler & Süsstrunk's (2003) verbal scale for their M."""


class Writer:
    """Reads measurements and writes sentences that cite them."""

    def __init__(self, measurements: dict[str, Measurement]) -> None:
        self.measurements = measurements

    def has(self, *keys: str) -> bool:
        """Whether every key was measured."""
        return all(key in self.measurements for key in keys)

    def v(self, key: str) -> Any:
        """A measurement's value (a float, a scheme name or a list)."""
        return self.measurements[key].value

    def say(self, text: str, *keys: str, plain: str) -> Sentence:
        """A sentence citing ``keys`` with its plain-words version; a ``KeyError`` if one of them was not
        measured."""
        missing = [key for key in keys if key not in self.measurements]
        if missing:  # a bug in this module, never a user error
            raise KeyError(f"sentence {text!r} cites unmeasured {missing}")
        return Sentence(text=text, cites=list(keys), plain=plain)


def _plural(count: float, word: str) -> str:
    """``"1 line"``, ``"3 lines"``."""
    return f"{count:.0f} {word}{'' if round(count) == 1 else 's'}"


def _band(value: float, bands: tuple[tuple[float, str], ...]) -> str:
    return next(word for limit, word in bands if value < limit)


def _a(word: str) -> str:
    """``"a warm"``, ``"an analogous"``."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


_HUE_NAMES = ((15, "red"), (40, "orange"), (65, "yellow"), (85, "yellow-green"), (160, "green"),
              (195, "teal"), (255, "blue"), (290, "purple"), (345, "pink"), (361, "red"))


def colour_name(hex_colour: str) -> str:
    """A plain name for a colour (``"#2a4f9c"`` -> ``"blue"``, ``"#eeeeea"`` -> ``"white"``)."""
    r, g, b = (int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4))
    high, low = max(r, g, b), min(r, g, b)
    lightness, chroma = (high + low) / 2, high - low
    if chroma < 0.1:
        return _band(lightness, ((0.15, "black"), (0.4, "dark grey"), (0.7, "grey"), (0.9, "light grey"),
                                 (1.01, "white")))
    if high == r:
        hue = 60 * (((g - b) / chroma) % 6)
    elif high == g:
        hue = 60 * ((b - r) / chroma + 2)
    else:
        hue = 60 * ((r - g) / chroma + 4)
    name = _band(hue, _HUE_NAMES)
    if name == "orange" and lightness < 0.4:
        return "brown"
    return f"dark {name}" if lightness < 0.25 else f"pale {name}" if lightness > 0.8 else name


def _thirds_line(x: float, y: float) -> tuple[str, str]:
    """The nearest thirds line's name and the coordinate key that places the subject on it."""
    options = [
        (abs(x - 1 / 3), "left thirds line", "composition.subject_x"),
        (abs(x - 2 / 3), "right thirds line", "composition.subject_x"),
        (abs(y - 1 / 3), "upper thirds line", "composition.subject_y"),
        (abs(y - 2 / 3), "lower thirds line", "composition.subject_y"),
    ]
    _, name, key = min(options)
    return name, key


def _placement(w: Writer) -> Sentence | None:
    """Where the main subject sits relative to the thirds, the golden section or the centre."""
    if not w.has("composition.subject_x", "composition.subject_y", "composition.thirds_distance"):
        return None
    x, y = w.v("composition.subject_x"), w.v("composition.subject_y")
    if w.v("composition.thirds_distance") <= 0.04:
        line, key = _thirds_line(x, y)
        axis = "width" if key.endswith("_x") else "height"
        return w.say(
            f"The main subject's centre sits on the {line} (at {w.v(key):.2f} of the {axis}).",
            key,
            "composition.thirds_distance",
            plain=f"The main subject sits on the {line.replace(' thirds line', '')} line of thirds, a classic, "
                  "balanced placement.",
        )
    if w.v("composition.golden_distance") <= 0.03:
        return w.say(
            f"The main subject's centre sits on a golden-section line (x {x:.2f}, y {y:.2f}).",
            "composition.subject_x",
            "composition.subject_y",
            "composition.golden_distance",
            plain="The main subject sits on a golden-section line, a classic, balanced placement.",
        )
    if w.v("composition.centre_distance") <= 0.06:
        return w.say(
            f"The main subject is centred ({w.v('composition.centre_distance'):.2f} of the frame "
            "from the middle).",
            "composition.centre_distance",
            plain="The main subject sits in the middle of the picture.",
        )
    across = "left" if x < 0.4 else "right" if x > 0.6 else ""
    down = "upper" if y < 0.4 else "lower" if y > 0.6 else ""
    where = f"in the {down} {across} part".replace("  ", " ") if across or down else "near the middle"
    return w.say(
        f"The main subject's centre is at x {x:.2f}, y {y:.2f}, "
        f"{w.v('composition.thirds_distance'):.2f} of the frame from the nearest thirds line.",
        "composition.subject_x",
        "composition.subject_y",
        "composition.thirds_distance",
        plain=f"The main subject sits {where} of the picture, off the classic lines of thirds.",
    )


def _horizon(w: Writer) -> Sentence | None:
    if not w.has("composition.horizon_y"):
        return None
    y = w.v("composition.horizon_y")
    where = next(
        (
            phrase
            for line, phrase in (
                (1 / 3, "on the upper thirds line"),
                (2 / 3, "on the lower thirds line"),
                (0.5, "across the middle, halving the frame"),
            )
            if abs(y - line) <= 0.04
        ),
        "high in the frame" if y < 0.5 else "low in the frame",
    )
    plain = where.replace("on the upper thirds line", "a third of the way down").replace(
        "on the lower thirds line", "two thirds of the way down").replace("frame", "picture")
    return w.say(f"The horizon sits {where} (at {y:.2f} of the height).", "composition.horizon_y",
                 plain=f"The horizon lies {plain}.")


def _composition_comments(w: Writer) -> list[Sentence | None]:
    out = [_placement(w), _horizon(w)]
    lr = w.v("composition.balance_lr")
    out.append(
        w.say(
            f"Visual weight is evenly balanced left to right (ratio {lr:.2f})."
            if lr >= 0.85
            else f"Visual weight is uneven left to right: the lighter half carries {lr:.2f} of the heavier.",
            "composition.balance_lr",
            plain="Its visual weight is shared evenly between left and right." if lr >= 0.85
            else "One side of the picture carries more visual weight than the other.",
        )
    )
    sym = w.v("composition.symmetry")
    word = "close to mirror-symmetric" if sym >= 0.8 else "asymmetric" if sym <= 0.2 else "partly symmetric"
    mirrored = ("Its left and right halves nearly mirror each other." if sym >= 0.8
                else "Its left and right halves differ: the composition is asymmetric." if sym <= 0.2
                else "Its left and right halves partly mirror each other.")
    out.append(
        w.say(f"The image is {word} left to right (mirror correlation {sym:.2f}).", "composition.symmetry",
              plain=mirrored)
    )
    leading, lines = w.measurements.get("composition.leading_lines"), w.v("composition.long_lines")
    if leading is not None and leading.value >= 1:
        verb = "leads" if leading.value == 1 else "lead"
        out.append(
            w.say(
                f"{_plural(leading.value, 'long straight line')} {verb} toward the main subject.",
                "composition.leading_lines",
                plain=f"{'A long straight line leads' if leading.value == 1 else 'Long straight lines lead'} "
                      "the eye toward the main subject.",
            )
        )
    elif lines >= 1:
        out.append(
            w.say(
                f"{_plural(lines, 'long straight edge')} structure{'s' if lines == 1 else ''} the frame, "
                f"{w.v('composition.diagonal_lines'):.0f} of them diagonal.",
                "composition.long_lines",
                "composition.diagonal_lines",
                plain="Long straight edges give the picture its structure"
                      + (", and diagonals add movement." if w.v("composition.diagonal_lines") >= 1 else "."),
            )
        )
    else:
        out.append(w.say("No long straight edges cross the frame.", "composition.long_lines",
                         plain="No long straight edges cross the picture."))
    space = w.v("composition.negative_space")
    feel = ", an open layout" if space >= 0.6 else ", a dense surface" if space <= 0.1 else ""
    quiet = ("Large calm areas leave the layout open." if space >= 0.6
             else "The surface is dense, with few calm areas." if space <= 0.1
             else "Calm areas give the eye room to rest between busier ones.")
    out.append(
        w.say(f"Flat, quiet areas cover {space:.0%} of the frame{feel}.", "composition.negative_space",
              plain=quiet)
    )
    return out


def _palette_sentence(w: Writer) -> Sentence:
    hexes, shares = w.v("colour.palette"), w.v("colour.palette_shares")
    lead = f"{_plural(len(hexes), 'main colour')} led by {hexes[0]} ({shares[0]:.0%})"
    if not w.has("colour.hue_spread", "colour.warm_share"):
        return w.say(
            f"A largely neutral palette: {lead}; {w.v('colour.chromatic_share'):.0%} of the pixels "
            "carry colour.",
            "colour.palette",
            "colour.palette_shares",
            "colour.chromatic_share",
            plain=f"The palette is largely neutral, with little colour; {colour_name(hexes[0])} leads.",
        )
    spread, warm = w.v("colour.hue_spread"), w.v("colour.warm_share")
    width = "narrow" if spread < 30 else "broad" if spread > 70 else "moderate"
    temperature = "warm" if warm >= 0.65 else "cool" if warm <= 0.35 else "mixed warm and cool"
    names = list(dict.fromkeys(colour_name(h) for h in hexes[:3]))
    shown = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return w.say(
        f"A {width}, {temperature} palette: {lead}; hues spread {spread:.0f}° and "
        f"{warm:.0%} of the coloured pixels are warm.",
        "colour.palette",
        "colour.palette_shares",
        "colour.hue_spread",
        "colour.warm_share",
        plain=f"{_a(width).capitalize()}, {temperature} palette, mostly {shown}.",
    )


def _harmony_sentence(w: Writer) -> Sentence:
    scheme = w.v("colour.harmony_scheme")
    if scheme == "achromatic":
        return w.say(
            f"Only {w.v('colour.chromatic_share'):.0%} of the pixels carry noticeable colour.",
            "colour.harmony_scheme",
            "colour.chromatic_share",
            plain="There is almost no colour: the picture works in light and dark.",
        )
    deviation = w.v("colour.harmony_deviation")
    if scheme == "none":
        return w.say(
            f"The hues fit no classic harmony scheme (the closest leaves {deviation:.0f}° of mean "
            "deviation).",
            "colour.harmony_scheme",
            "colour.harmony_deviation",
            plain="The colours follow no classic harmony.",
        )
    return w.say(
        f"The hues fit {_a(scheme)} scheme (mean deviation {deviation:.1f}°).",
        "colour.harmony_scheme",
        "colour.harmony_deviation",
        plain=f"The colours form {_a(scheme)} harmony: {HARMONY_WORDS.get(scheme, 'a classic colour scheme')}.",
    )


HARMONY_WORDS = {
    "monochromatic": "shades of one hue",
    "complementary": "hues from opposite sides of the colour wheel",
    "triadic": "three hues evenly spaced around the colour wheel",
    "analogous": "neighbouring hues",
    "L-shaped": "two hues a quarter of the colour wheel apart",
    "split-complementary": "a family of neighbouring hues against their opposite",
    "double-complementary": "two pairs of opposite hues",
    "half-wheel": "hues from one half of the colour wheel",
}


def _key_word(lightness: float) -> str:
    return "high-key" if lightness > 65 else "low-key" if lightness < 35 else "mid-key"


def _key_plain(lightness: float) -> str:
    return ("Light tones dominate." if lightness > 65 else "Dark tones dominate." if lightness < 35
            else "Middle tones dominate, neither very light nor very dark.")


def _visual_comments(w: Writer) -> list[Sentence | None]:
    m_value, contrast = w.v("colour.colourfulness"), w.v("colour.contrast")
    strength = "low" if contrast < 10 else "strong" if contrast > 25 else "moderate"
    return [
        _palette_sentence(w),
        _harmony_sentence(w),
        w.say(
            f"The image is {_band(m_value, COLOURFULNESS_WORDS)} (M = {m_value:.0f}).", "colour.colourfulness",
            plain=f"The picture is {_band(m_value, COLOURFULNESS_WORDS)}.",
        ),
        w.say(
            f"Tonal contrast is {strength} (L* standard deviation {contrast:.0f}) and values span "
            f"{w.v('colour.value_range'):.0f} L* units.",
            "colour.contrast",
            "colour.value_range",
            plain=f"The contrast between light and dark is {strength}.",
        ),
        w.say(
            f"It is {_a(_key_word(w.v('colour.key')))} image (mean L* {w.v('colour.key'):.0f}).", "colour.key",
            plain=_key_plain(w.v("colour.key")),
        ),
    ]


def _technical_comments(w: Writer) -> list[Sentence | None]:
    sharp, noise = w.v("technical.sharpness"), w.v("technical.noise")
    detail = "soft" if sharp < 50 else "crisp" if sharp > 300 else "reasonably sharp"
    grain = "very low" if noise < 2 else "low" if noise < 5 else "visible" if noise < 10 else "heavy"
    high, low = w.v("technical.highlight_clipping"), w.v("technical.shadow_clipping")
    clipping, clipping_plain = (
        (f"Highlights are blown: {high:.0%} of the pixels are clipped to white.",
         "Some of the brightest parts have lost their detail to pure white.")
        if high > 0.05
        else (f"Shadows are crushed: {low:.0%} of the pixels are clipped to black.",
              "Some of the darkest parts have lost their detail to pure black.")
        if low > 0.05
        else (f"Almost nothing is clipped ({high:.1%} white, {low:.1%} black).",
              "The lightest and darkest parts keep their detail.")
    )
    brightness = w.v("technical.brightness")
    level = "bright" if brightness > 170 else "dark" if brightness < 80 else "mid-toned"
    megapixels = w.v("technical.megapixels")
    size = "a small" if megapixels < 1 else "a large" if megapixels >= 8 else "a medium-sized"
    grain_plain = {"very low": "There is almost no grain.", "low": "There is little grain.",
                   "visible": "Some grain is visible.", "heavy": "Grain is heavy."}[grain]
    return [
        w.say(f"Detail is {detail} (Laplacian variance {sharp:.0f}).", "technical.sharpness",
              plain=f"Fine detail is {detail}."),
        w.say(f"Noise is {grain} (σ ≈ {noise:.1f} grey levels on flat areas).", "technical.noise",
              plain=grain_plain),
        w.say(clipping, "technical.highlight_clipping", "technical.shadow_clipping", plain=clipping_plain),
        w.say(
            f"Exposure is {level} (mean brightness {brightness:.0f} of 255) and tones span "
            f"{w.v('technical.dynamic_range'):.0f} grey levels.",
            "technical.brightness",
            "technical.dynamic_range",
            plain=f"The exposure is {'balanced' if level == 'mid-toned' else level}.",
        ),
        w.say(
            f"The image is {w.v('technical.width'):.0f} × {w.v('technical.height'):.0f} px "
            f"({megapixels:.2f} MP).",
            "technical.width",
            "technical.height",
            "technical.megapixels",
            plain=f"This is {size} digital image" + (": fine detail is limited by its size." if megapixels < 1
                                                      else "."),
        ),
    ]


def _originality_comments(w: Writer) -> list[Sentence | None]:
    if not w.has("originality.neighbour_similarity", "originality.typicality_percentile"):
        return []
    percentile = w.v("originality.typicality_percentile")
    verdict = (
        "a typical work here"
        if percentile >= 60
        else "an unusual work here"
        if percentile <= 30
        else "neither typical nor unusual here"
    )
    out = [
        w.say(
            f"Its nearest neighbours in this collection have a mean similarity of "
            f"{w.v('originality.neighbour_similarity'):.2f}, higher than for {percentile:.0f}% of the "
            f"collection's own images: {verdict}.",
            "originality.neighbour_similarity",
            "originality.typicality_percentile",
            plain="It closely resembles many works in this collection." if percentile >= 60
            else "It stands apart from most works in this collection." if percentile <= 30
            else "It is neither typical nor unusual for this collection.",
        )
    ]
    if w.has("originality.nearest", "originality.nearest_similarity") and w.v("originality.nearest"):
        pairs = ", ".join(
            f"{a} ({s:.2f})"
            for a, s in zip(w.v("originality.nearest"), w.v("originality.nearest_similarity"), strict=True)
        )
        out.append(
            w.say(
                f"Closest in the collection: {pairs}.",
                "originality.nearest",
                "originality.nearest_similarity",
                plain=f"The most similar works here: {', '.join(map(str, w.v('originality.nearest')))}.",
            )
        )
    return out


def _theme_comments(w: Writer) -> list[Sentence | None]:
    if not w.has(
        "composition.subject_contrast", "composition.subject_area", "composition.saliency_concentration"
    ):
        if not w.has("composition.subject_found"):
            return []
        return [w.say("No single region stands out from the rest (no main subject was found).",
                      "composition.subject_found",
                      plain="No single part stands out as the main subject: attention spreads over the "
                            "whole picture.")]
    share, contrast, area = (w.v("composition.saliency_concentration"), w.v("composition.subject_contrast"),
                             w.v("composition.subject_area"))
    stands = "strongly" if contrast >= 30 else "clearly" if contrast >= 12 else "only slightly"
    fills = "a small part" if area < 0.1 else "much" if area > 0.4 else "a good part"
    return [
        w.say(
            f"The main subject stands out from its surroundings by ΔE {contrast:.0f} and covers "
            f"{area:.0%} of the frame.",
            "composition.subject_contrast",
            "composition.subject_area",
            plain=f"The main subject stands out {stands} from its surroundings and fills {fills} of the picture.",
        ),
        w.say(
            f"It gathers {share:.0%} of the image's salient mass: a {'clear' if share >= 0.5 else 'diffuse'} "
            "focal point.",
            "composition.saliency_concentration",
            plain="It draws the eye: a clear focal point." if share >= 0.5
            else "Attention is shared with other parts of the picture.",
        ),
    ]


def _mood(w: Writer) -> Sentence:
    pleasure, arousal = w.v("affect.pleasure"), w.v("affect.arousal")
    energy = "calm" if arousal < 0.1 else "intense" if arousal > 0.3 else "lively"
    tone = "pleasant" if pleasure > 0.5 else "sombre" if pleasure < 0.35 else "even"
    return w.say(
        f"Brightness and saturation give a pleasure index of {pleasure:.2f} and an arousal index of "
        f"{arousal:.2f} (Valdez–Mehrabian): a {energy}, {tone} colour mood.",
        "affect.pleasure",
        "affect.arousal",
        plain=f"The colours set {_a(energy)}, {tone} mood.",
    )


def _warmth(share: float) -> str:
    return ("Warm colours dominate." if share >= 0.65 else "Cool colours dominate." if share <= 0.35
            else "Warm and cool colours are mixed.")


def _emotion_comments(w: Writer) -> list[Sentence | None]:
    out = [_mood(w)]
    if w.has("colour.warm_share"):
        out.append(
            w.say(
                f"Warm hues make up {w.v('colour.warm_share'):.0%} of the coloured area.", "colour.warm_share",
                plain=_warmth(w.v("colour.warm_share")),
            )
        )
    if w.v("colour.contrast") > 25:
        out.append(
            w.say(
                f"Strong light–dark contrast (L* standard deviation {w.v('colour.contrast'):.0f}) "
                "adds drama.",
                "colour.contrast",
                plain="Strong contrast between light and dark adds drama.",
            )
        )
    return out


def _gestalt_comments(w: Writer) -> list[Sentence | None]:
    top = sum(sorted(w.v("colour.palette_shares"), reverse=True)[:3])
    unity = "a unified colour structure" if top >= 0.8 else "a varied colour structure"
    lr, tb = w.v("composition.balance_lr"), w.v("composition.balance_tb")
    return [
        w.say(f"The three largest colours cover {top:.0%} of the image: {unity}.", "colour.palette_shares",
              plain="A few colours hold the picture together." if top >= 0.8
              else "Many colours make a varied whole."),
        w.say(
            f"Overall the frame is {'balanced' if min(lr, tb) >= 0.7 else 'weighted to one side'} "
            f"(left–right {lr:.2f}, top–bottom {tb:.2f}).",
            "composition.balance_lr",
            "composition.balance_tb",
            plain="Overall the picture feels balanced." if min(lr, tb) >= 0.7
            else "Overall the picture leans to one side.",
        ),
    ]


COMMENTERS: dict[str, Callable[[Writer], list[Sentence | None]]] = {
    "composition": _composition_comments,
    "visual_elements": _visual_comments,
    "technical": _technical_comments,
    "originality": _originality_comments,
    "theme": _theme_comments,
    "emotion": _emotion_comments,
    "gestalt": _gestalt_comments,
}


def comments(measurements: dict[str, Measurement]) -> dict[str, list[Sentence]]:
    """Per dimension, the sentences its measurements support."""
    w = Writer(measurements)
    return {key: [s for s in write(w) if s is not None] for key, write in COMMENTERS.items()}


def describe(measurements: dict[str, Measurement]) -> Description:
    """What is seen (perception), how it is organised (cognition), what it evokes (emotion)."""
    w = Writer(measurements)
    hexes, shares = w.v("colour.palette"), w.v("colour.palette_shares")
    colours = ", ".join(f"{h} ({s:.0%})" for h, s in zip(hexes[:3], shares[:3], strict=False))
    names = list(dict.fromkeys(colour_name(h) for h in hexes[:3]))
    perception = [
        w.say(f"Dominant colours: {colours}.", "colour.palette", "colour.palette_shares",
              plain=f"The main colours are {', '.join(names)}."),
        w.say(f"{_a(_key_word(w.v('colour.key'))).capitalize()} image (mean L* {w.v('colour.key'):.0f}).",
              "colour.key", plain=_key_plain(w.v("colour.key"))),
        _horizon(w),
    ]
    if w.has("composition.subject_area"):
        perception.append(
            w.say(
                f"One distinct region stands out, covering {w.v('composition.subject_area'):.0%} "
                "of the frame.",
                "composition.subject_area",
                plain="One distinct region stands out.",
            )
        )
    cognition = [_placement(w), _harmony_sentence(w)]
    if w.has("originality.typicality_percentile"):
        cognition.append(
            w.say(
                f"Within this collection it is more typical than "
                f"{w.v('originality.typicality_percentile'):.0f}% of the images.",
                "originality.typicality_percentile",
                plain="It is typical of this collection." if w.v("originality.typicality_percentile") >= 60
                else "It is unusual in this collection." if w.v("originality.typicality_percentile") <= 30
                else "It is neither typical nor unusual in this collection.",
            )
        )
    return Description(
        perception=[s for s in perception if s],
        cognition=[s for s in cognition if s],
        emotion=[s for s in _emotion_comments(w) if s],
    )
