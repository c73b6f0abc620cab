"""The aesthetics loaders on files their publishers wrote (tests/data: TANet's AVA and TAD66K lists,
ArtiMuse's test lists, APDDv2's csvfiles, ArtQuant's layout), with tiny images drawn where they point."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from artscope.datasets.aesthetics import load_artimuse10k, load_ava, load_flickr_aes, load_tad66k
from artscope.datasets.apddv2 import ARTQUANT_LEVELS, load_apddv2, load_apddv2_descriptions
from artscope.errors import InvalidInputError, SourceFormatError

DATA = Path(__file__).resolve().parents[1] / "data"


def _image(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), (120, 80, 40)).save(path)


def _copy(name: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(DATA / name, tmp_path / name))


def test_ava_as_distributed_from_its_parent_folder(tmp_path: Path) -> None:
    root = _copy("ava", tmp_path)  # root/AVA_dataset/{AVA.txt, aesthetics_image_lists/, image/}
    ids = (root / "AVA_dataset" / "aesthetics_image_lists" / "generic_test.jpgl").read_text().split()
    for image_id in ids:
        _image(root / "AVA_dataset" / "image" / f"{image_id}.jpg")
    for folder in (root, root / "AVA_dataset"):
        data = load_ava(folder, "test")
        assert [item.key for item in data.items] == ids
    first = data.items[0]  # TANet's row: 687050 with votes 1 5 6 51 117 78 29 10 6 1
    assert first.distribution == (1, 5, 6, 51, 117, 78, 29, 10, 6, 1)
    assert first.score == pytest.approx(1633 / 304)  # Σ k·votes_k / Σ votes, by hand
    assert first.image_path == root / "AVA_dataset" / "image" / "687050.jpg"


def test_tad66k_from_tanets_merged_lists(tmp_path: Path) -> None:
    root = _copy("tad66k", tmp_path)
    _image(root / "TAD66K" / "hs_yin152947873.jpg")
    data = load_tad66k(root, "test")
    assert [(i.key, i.score) for i in data.items] == [("hs_yin152947873.jpg", 1.9)] and data.info.missing == 7


@pytest.mark.parametrize(("dataset", "scale"), [("AVA", (1, 10)), ("FLICKR-AES", (0, 1)), ("PARA", (1, 5)),
                                                 ("TAD66K", (0, 10))])
def test_artimuse_test_lists_with_their_scale(tmp_path: Path, dataset: str, scale: tuple[float, float]) -> None:
    root = _copy(f"artimuse/test_datasets/{dataset}", tmp_path)
    entries = json.loads((root / "test.json").read_text())
    for entry in entries:
        _image(root / "images" / entry["image"])
    data = load_artimuse10k(root, "test", scale=scale)
    assert [i.score for i in data.items] == [e["gt_score"] for e in entries]
    assert data.info.scale == scale and data.info.threshold == sum(scale) / 2
    assert all(scale[0] <= i.score <= scale[1] for i in data.items)
    with pytest.raises(InvalidInputError, match="low to high"):
        load_artimuse10k(root, "test", scale=(5, 1))


def test_flickr_aes_scores_are_zero_to_one(tmp_path: Path) -> None:
    root = _copy("artimuse/test_datasets/FLICKR-AES", tmp_path)
    entries = json.loads((root / "test.json").read_text())
    for entry in entries:
        _image(root / "40K" / entry["image"])
    data = load_flickr_aes(root, "test")
    assert data.info.scale == (0, 1) and data.info.threshold == 0.5
    assert data.items[0].score == pytest.approx(0.627154296566)


def test_apddv2_csvfiles(tmp_path: Path) -> None:
    root = _copy("apddv2", tmp_path)
    for line in (root / "csvfiles" / "test.csv").read_text().splitlines()[1:]:
        _image(root / "APDDv2image" / line.split(",")[0])
    data = load_apddv2(root, "test")
    assert len(data.items) == 6 and data.items[0].score == pytest.approx(4.417)
    assert data.info.scale == (0, 10) and data.items[0].distribution is None


def _artquant(tmp_path: Path) -> Path:
    root = _copy("artquant-apdd", tmp_path)
    for entry in json.loads((root / "meta" / "score.json").read_text()):
        _image(root / "images" / entry["image"])
    return root


def test_artquant_score_distributions(tmp_path: Path) -> None:
    root = _artquant(tmp_path)
    data = load_apddv2(root, "test")
    test_list = json.loads((root / "apddv2_test.json").read_text())
    assert [i.key for i in data.items] == [e["image"] for e in test_list]
    assert data.info.levels == [1.0, 3.5, 5.0, 7.5, 10.0]  # ascending, for EMD's cumulative sums
    entries = json.loads((root / "meta" / "score.json").read_text())
    entry = next(e for e in entries if e["image"] == data.items[0].key)
    by_name = dict(zip(ARTQUANT_LEVELS, entry["level_probs"], strict=True))
    assert data.items[0].distribution == tuple(by_name[n] for n in ("bad", "poor", "fair", "good", "excellent"))
    assert data.items[0].score == entry["gt_score"]
    assert len(load_apddv2(root, "all").items) == 12
    train = load_apddv2(root, "train")
    assert len(train.items) == 6 and not {i.key for i in train.items} & {i.key for i in data.items}
    (root / "apddv2_test.json").unlink()
    with pytest.raises(SourceFormatError, match=r"neither apddv2_test\.json"):
        load_apddv2(root, "test")


def test_artquant_description_levels(tmp_path: Path) -> None:
    root = _artquant(tmp_path)
    data = load_apddv2_descriptions(root, "test")
    assert data.levels == ("level_1", "level_2", "level_3") and len(data.items) == 6
    item = data.items[0]
    level_3 = json.loads((root / "meta" / "descriptions_level_3.json").read_text())
    described = next(e for e in level_3 if e["image"] == item.item_id)
    assert item.levels["level_3"] == (described["conversations"][1]["value"],)
    assert item.levels["level_1"][0] != "" and item.image == root / "images" / item.item_id


def test_each_loader_module_imports_on_its_own() -> None:
    for module in ("artscope.datasets.apddv2", "artscope.datasets.aesthetics"):
        subprocess.run([sys.executable, "-c", f"import {module}"], check=True, timeout=120)
