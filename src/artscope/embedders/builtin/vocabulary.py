"""Words that measured image properties decide: the builtin embedder's text -> pixels signal.

The builtin embedder has no learned text-to-image model, but its image vectors hold measurements
(``layout.py``): lightness, colour by hue and lightness, saturation, edge density, aspect. Some words
of a query are decided by exactly those: "at night" (dark), "in snow" (bright neutral areas), "in
black and white", "blue", "vertical". Each word of this vocabulary maps to one or more ramps over
measurements; an image meets a word as far as its ramps say (geometric mean, 0..1), and a negated
word ("without snow", "not dark") the other way round. ``VOCABULARY`` and docs/search.md list every
word with what it measures.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from artscope.embedders.base import FoundWord
from artscope.embedders.builtin.colour import HUES, L_LEVELS, colour_code
from artscope.embedders.builtin.encoding import unit
from artscope.embedders.builtin.layout import COLOUR_GROUPS, colour_frequencies, read_scalars, scalar_parts

ALL_LEVELS = tuple(range(L_LEVELS))
COLOURS: dict[str, tuple[dict[int, float], tuple[int, ...], tuple[int, ...]]] = {
    # name: (hue sector -> weight, lightness levels, chroma levels 1 muted / 2 vivid)
    "red": ({0: 1.0, 7: 0.5}, ALL_LEVELS, (1, 2)),
    "orange": ({1: 1.0}, (1, 2, 3), (2,)),
    "yellow": ({2: 1.0, 1: 0.3}, (2, 3), (1, 2)),
    "green": ({3: 1.0, 4: 0.5, 2: 0.3}, ALL_LEVELS, (1, 2)),
    "blue": ({5: 1.0, 6: 1.0, 4: 0.3}, ALL_LEVELS, (1, 2)),
    "purple": ({7: 1.0, 6: 0.5}, ALL_LEVELS, (1, 2)),
    "pink": ({0: 1.0, 7: 1.0}, (2, 3), (1, 2)),
    "brown": ({1: 1.0, 0: 0.5}, (0, 1), (1,)),
    "gold": ({1: 1.0, 2: 1.0}, (1, 2, 3), (2,)),
    "warm": ({0: 1.0, 1: 1.0, 2: 0.5}, ALL_LEVELS, (1, 2)),
    "cool": ({4: 1.0, 5: 1.0, 6: 1.0}, ALL_LEVELS, (1, 2)),
}
"""Colour names as shares of the colour histogram. Hue sectors of the a*b* plane (45 degrees each,
from +a*): 0 reds and pinks, 1 oranges, browns and sandstone, 2 yellows, 3 greens, 4 cyans, 5-6 blues,
7 purples and magentas. Lightness levels: L* about 10, 37, 63, 90."""
NEUTRALS: dict[str, dict[int, float]] = {"white": {3: 1.0, 2: 0.5}, "black": {0: 1.0, 1: 0.3},
                                         "grey": {1: 1.0, 2: 1.0}}
"""Neutral (chroma < about 10) pixels by lightness level."""


@dataclass(frozen=True)
class Ramp:
    """A measurement mapped to 0..1: 0 at ``zero``, 1 at ``full``, linear between (either direction)."""

    measure: str
    """A scalar (``light.mean``, ``colourfulness.chroma``...) or a colour share (``colour.blue``)."""
    zero: float
    full: float

    def __call__(self, values: np.ndarray) -> np.ndarray:
        return np.clip((values - self.zero) / (self.full - self.zero), 0.0, 1.0)


@dataclass(frozen=True)
class Word:
    """A vocabulary entry: its name, the forms a query may use, and the ramps that decide it."""

    name: str
    forms: tuple[str, ...]
    ramps: tuple[Ramp, ...]
    meaning: str


def _colour(name: str, forms: str, share: float = 0.3) -> Word:
    return Word(name, tuple(forms.split(",")), (Ramp(f"colour.{name}", 0.02, share),),
                f"share of {name} pixels (1 from {share * 100:.0f} % of the picture)")


VOCABULARY: tuple[Word, ...] = (
    Word("night", ("night", "nights", "nighttime", "night time", "nocturnal", "nocturne", "dark", "darker",
                   "darkest", "low key", "evening", "gloomy", "moonlight", "moonlit"),
         (Ramp("light.mean", 52.0, 30.0),), "mean lightness L* (1 at 30 or less of 100, 0 from 52)"),
    Word("bright", ("bright", "brighter", "brightest", "high key", "daylight", "daytime", "sunny", "sunlit"),
         (Ramp("light.mean", 50.0, 68.0),), "mean lightness L* (1 from 68 of 100, 0 at 50 or less)"),
    Word("snow", ("snow", "snowy", "snowfall", "snowing", "winter", "wintry", "wintery", "white", "whiter"),
         (Ramp("colour.white", 0.05, 0.35),), "share of bright neutral pixels (1 from 35 % of the picture)"),
    Word("black and white", ("black and white", "black & white", "b&w", "b/w", "monochrome", "greyscale",
                             "grayscale", "colourless", "colorless"),
         (Ramp("colourfulness.chroma", 8.0, 2.0),), "mean chroma (1 at 2 or less, 0 from 8)"),
    Word("sepia", ("sepia", "sepia toned", "sepia-toned"),
         (Ramp("colourfulness.chroma", 30.0, 14.0), Ramp("colourfulness.mean_b", 2.0, 12.0),
          Ramp("colourfulness.hue_entropy", 0.7, 0.4)),
         "low chroma, yellow-brown cast (mean b*), one dominant hue (low hue entropy)"),
    Word("sunset", ("sunset", "sunsets", "sunrise", "sundown", "dusk", "dawn", "golden hour", "twilight"),
         (Ramp("colour.warm", 0.15, 0.5), Ramp("colourfulness.chroma", 10.0, 25.0)),
         "share of warm (red, orange, yellow) pixels and mean chroma"),
    Word("warm", ("warm", "warmer", "warm toned"), (Ramp("colour.warm", 0.15, 0.5),),
         "share of warm (red, orange, yellow) pixels"),
    Word("cool", ("cool", "cooler", "cold", "icy", "cool toned"), (Ramp("colour.cool", 0.1, 0.4),),
         "share of cool (cyan, blue) pixels"),
    _colour("red", "red,reddish,crimson,scarlet", 0.25),
    _colour("orange", "orange,orangey", 0.3),
    _colour("yellow", "yellow,yellowish", 0.3),
    _colour("green", "green,greenish,greenery,verdant", 0.3),
    _colour("blue", "blue,bluish,blueish,azure", 0.45),
    _colour("purple", "purple,violet,magenta,lilac", 0.15),
    _colour("pink", "pink,pinkish", 0.15),
    _colour("brown", "brown,brownish", 0.3),
    _colour("gold", "gold,golden,gilded", 0.3),
    Word("grey", ("grey", "gray", "greyish", "grayish", "overcast"), (Ramp("colour.grey", 0.1, 0.5),),
         "share of mid-grey neutral pixels (1 from 50 %)"),
    Word("colourful", ("colourful", "colorful", "vivid", "saturated", "vibrant"),
         (Ramp("colourfulness.chroma", 15.0, 32.0),), "mean chroma (1 from 32, 0 at 15 or less)"),
    Word("muted", ("muted", "pastel", "desaturated", "dull", "faded"), (Ramp("colourfulness.chroma", 20.0, 8.0),),
         "mean chroma (1 at 8 or less, 0 from 20)"),
    Word("crowded", ("crowded", "busy", "cluttered", "detailed", "intricate", "teeming"),
         (Ramp("edges.density", 0.18, 0.25),), "edge density (1 from 25 % edge pixels, 0 at 18 % or less)"),
    Word("empty", ("empty", "sparse", "minimal", "minimalist", "bare", "plain", "uncluttered", "deserted"),
         (Ramp("edges.density", 0.15, 0.06),), "edge density (1 at 6 % edge pixels or less, 0 from 15 %)"),
    Word("horizontal", ("horizontal", "wide", "panoramic", "panorama", "landscape format"),
         (Ramp("composition.log_aspect", 0.1, 0.5),), "width / height (1 from 1.65, 0 at 1.1 or less)"),
    Word("vertical", ("vertical", "upright", "portrait format", "tall format"),
         (Ramp("composition.log_aspect", -0.05, -0.4),), "height / width (1 from 1.5, 0 at 1.05 or less)"),
    Word("high contrast", ("high contrast", "contrasty", "dramatic lighting"), (Ramp("light.std", 18.0, 28.0),),
         "spread of lightness (standard deviation of L*: 1 from 28)"),
    Word("low contrast", ("low contrast", "flat light", "hazy", "misty", "foggy", "fog", "mist", "haze"),
         (Ramp("light.std", 16.0, 8.0),), "spread of lightness (standard deviation of L*: 1 at 8 or less)"),
)
"""Every word the builtin embedder decides from pixels, with what it measures."""

ALTERS = {
    "light": ("light", "colour", "palette", "colourfulness", "texture", "edges", "style"),
    "colour": ("colour", "palette", "colourfulness", "style"),
    "colourfulness": ("colour", "palette", "colourfulness", "style"),
    "edges": ("texture", "edges"),
    "composition": ("composition", "layout"),
}
"""Blocks of the image vector that a change of each kind of measurement alters: lightness moves
colours, gradients, edges and the style network's reading too; colour words move the colour blocks;
busyness the texture and edges; aspect the layout and composition. What a change leaves alone is what
"the same" means for it (``MeasuredVocabulary.unchanged``)."""
NEGATIONS = frozenset({"not", "no", "without", "non", "less", "never"})
_FORM = re.compile(r"[a-z]+(?:[&/][a-z]+)?")


def _tokens(text: str) -> list[str]:
    return _FORM.findall(text.lower().replace("-", " "))


_BY_FORM: dict[tuple[str, ...], Word] = {tuple(_tokens(form)): word for word in VOCABULARY for form in word.forms}
_BY_NAME = {word.name: word for word in VOCABULARY}
_LONGEST = max(len(form) for form in _BY_FORM)


class MeasuredVocabulary:
    """The vocabulary bound to one embedder's vector layout (its block slices); implements
    ``artscope.embedders.base.MeasuredWords``."""

    def __init__(self, blocks: dict[str, slice], image_dim: int) -> None:
        self.blocks = blocks
        self.image_dim = image_dim

    def find(self, text: str) -> list[FoundWord]:
        """The vocabulary words of a text, longest phrases first ("black and white" is one word)."""
        tokens = _tokens(text)
        found: list[FoundWord] = []
        i = 0
        while i < len(tokens):
            for size in range(min(_LONGEST, len(tokens) - i), 0, -1):
                word = _BY_FORM.get(tuple(tokens[i:i + size]))
                if word is not None:
                    negated = any(t in NEGATIONS for t in tokens[max(0, i - 2):i])
                    if all(f.name != word.name for f in found):
                        found.append(FoundWord(word.name, " ".join(tokens[i:i + size]), negated, word.meaning))
                    i += size
                    break
            else:
                i += 1
        return found

    def measurements(self, vectors: np.ndarray, names: Collection[str] | None = None) -> dict[str, np.ndarray]:
        """Every measurement a ramp may name (or only ``names``), for each vector [N, image_dim] -> {name: [N]}."""
        values = read_scalars(vectors, self.blocks, names)
        colours = [name for name in (*COLOURS, *NEUTRALS) if names is None or f"colour.{name}" in names]
        if not colours:
            return values
        frequencies = colour_frequencies(vectors, self.blocks)
        for name in colours:
            if name in COLOURS:
                sectors, levels, chromas = COLOURS[name]
                shares = (weight * frequencies[:, level, int(colour_code(0, chroma, hue))]
                          for hue, weight in sectors.items() for level in levels for chroma in chromas)
            else:
                shares = (weight * frequencies[:, level, 0] for level, weight in NEUTRALS[name].items())
            values[f"colour.{name}"] = sum(shares, np.zeros(len(frequencies)))
        return values

    def scores(self, found: list[FoundWord], vectors: np.ndarray) -> np.ndarray:
        """How far each image meets each found word: [N, len(found)] in 0..1 (negated words inverted)."""
        values = self.measurements(vectors, {ramp.measure for item in found for ramp in _BY_NAME[item.name].ramps})
        columns = []
        for item in found:
            ramps = np.stack([ramp(values[ramp.measure]) for ramp in _BY_NAME[item.name].ramps])
            met = np.exp(np.log(np.maximum(ramps, 1e-6)).mean(axis=0))  # geometric mean: all ramps must hold
            met = np.where(met < 1e-3, 0.0, met)
            columns.append(1.0 - met if item.negated else met)
        return np.stack(columns, axis=1) if columns else np.zeros((len(np.atleast_2d(vectors)), 0))

    def unchanged(self, found: list[FoundWord]) -> np.ndarray:
        """A 0/1 mask over the image vector: the blocks that the found words do not alter (all of them
        when the words would alter everything)."""
        mask = np.ones(self.image_dim, dtype=np.float32)
        for item in found:
            for ramp in _BY_NAME[item.name].ramps:
                kind = ramp.measure.split(".", 1)[0]
                if ramp.measure.removeprefix("colour.") in NEUTRALS:  # white, black, grey: a matter of light
                    kind = "light"
                for block in ALTERS[kind]:
                    if block in self.blocks:
                        mask[self.blocks[block]] = 0.0
        return mask if mask.any() else np.ones(self.image_dim, dtype=np.float32)

    def probe(self, found: list[FoundWord]) -> np.ndarray:
        """A query vector in the image space for the found words: for each ramp, the encoding of the end
        of its scale that the word asks for (the other end when negated) in the measurement's place,
        zeros elsewhere. Its cosine ranks stored images by those measurements, so the vector index can
        find candidates for the words."""
        vector = np.zeros(self.image_dim, dtype=np.float32)
        parts = scalar_parts(self.blocks)
        colour = self.blocks["colour"]
        for item in found:
            for ramp in _BY_NAME[item.name].ramps:
                if ramp.measure in parts:
                    where, scale = parts[ramp.measure]
                    upward = (ramp.full > ramp.zero) != item.negated
                    vector[where] += scale.encode(scale.hi if upward else scale.lo)
                elif not item.negated:  # "not blue" has no colour to aim at: its scores alone decide
                    vector[colour] += unit(self._colour_probe(ramp.measure.removeprefix("colour.")))
        return unit(vector)

    @staticmethod
    def _colour_probe(name: str) -> np.ndarray:
        weights = np.zeros((L_LEVELS, COLOUR_GROUPS), dtype=np.float32)
        if name in NEUTRALS:
            for level, weight in NEUTRALS[name].items():
                weights[level, 0] = weight
        else:
            sectors, levels, chromas = COLOURS[name]
            for hue, weight in sectors.items():
                for level in levels:
                    for chroma in chromas:
                        weights[level, int(colour_code(0, chroma, hue % HUES))] = weight
        return np.sqrt(weights.ravel() / weights.sum())  # Hellinger, as the colour block stores it
