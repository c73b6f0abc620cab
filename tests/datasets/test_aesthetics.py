"""The aesthetics dataset loaders on tiny fixtures written in each dataset's published layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from artscope.datasets.aesthetics import (
    hash_split,
    load_artimuse10k,
    load_ava,
    load_dataset,
    load_flickr_aes,
    load_para,
    load_tad66k,
)
from artscope.datasets.apddv2 import load_apddv2
from artscope.errors import SourceFormatError, UnknownNameError


def _image(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), (120, 80, 40)).save(path)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- AVA ----------------------------------------------------------------------------------------------
@pytest.fixture()
def ava(tmp_path: Path) -> Path:
    root = tmp_path / "AVA"
    _write(
        root / "AVA.txt",
        "1 953619 0 1 5 17 38 36 15 6 5 1 1 22 1396\n"
        "2 953958 10 7 15 26 26 21 10 8 1 2 15 21 1396\n"
        "3 954184 0 0 4 8 41 56 10 3 4 0 0 0 1396\n",
    )
    _write(root / "aesthetics_image_lists" / "generic_ls_train.jpgl", "953619\n953958\n")
    _write(root / "aesthetics_image_lists" / "generic_test.jpgl", "954184\n")
    for image_id in ("953619", "953958", "954184"):
        _image(root / "images" / f"{image_id}.jpg")
    return root


def test_ava_reads_votes_mean_and_published_split(ava: Path) -> None:
    train = load_ava(ava, "train")
    assert [item.key for item in train.items] == ["953619", "953958"]
    first = train.items[0]
    assert first.distribution == (0, 1, 5, 17, 38, 36, 15, 6, 5, 1)
    assert first.score == pytest.approx(sum(i * v for i, v in enumerate(first.distribution, 1)) / 124)
    assert first.image_path == ava / "images" / "953619.jpg"
    test = load_ava(ava, "test")
    assert [item.key for item in test.items] == ["954184"]
    assert (
        test.info.scale == (1, 10) and test.info.threshold == 5.0 and test.info.levels == list(range(1, 11))
    )
    assert len(load_ava(ava, "all").items) == 3


def test_ava_skips_missing_images_and_counts_them(ava: Path) -> None:
    (ava / "images" / "953958.jpg").unlink()
    train = load_ava(ava, "train")
    assert [item.key for item in train.items] == ["953619"] and train.info.missing == 1


def test_ava_malformed_vote_names_file_line_and_field(ava: Path) -> None:
    _write(ava / "AVA.txt", "1 953619 0 1 five 17 38 36 15 6 5 1 1 22 1396\n")
    with pytest.raises(SourceFormatError, match=r"AVA\.txt, line 1: field 'vote count for 3' is 'five'"):
        load_ava(ava, "all")


def test_ava_short_line_and_missing_split_list(ava: Path) -> None:
    (ava / "aesthetics_image_lists" / "generic_test.jpgl").unlink()
    with pytest.raises(SourceFormatError, match=r"generic_test\.jpgl is missing"):
        load_ava(ava, "test")
    _write(ava / "AVA.txt", "1 953619 0 1 5\n")
    with pytest.raises(SourceFormatError, match="line 1: 5 fields"):
        load_ava(ava, "all")


def test_ava_with_no_images_on_disk_is_an_error(ava: Path) -> None:
    for path in (ava / "images").iterdir():
        path.unlink()
    with pytest.raises(SourceFormatError, match="None of the 2 images"):
        load_ava(ava, "train")


# -- TAD66K -------------------------------------------------------------------------------------------
def test_tad66k_merge_csvs(tmp_path: Path) -> None:
    _write(tmp_path / "labels" / "merge" / "train.csv", "image,score\na.jpg,5.71\nb.jpg,4.2\n")
    _write(tmp_path / "labels" / "merge" / "test.csv", "image,score\nc.jpg,6.0\n")
    for name in "abc":
        _image(tmp_path / "TAD66K" / f"{name}.jpg")
    train = load_tad66k(tmp_path, "train")
    assert [(i.key, i.score) for i in train.items] == [("a.jpg", 5.71), ("b.jpg", 4.2)]
    assert len(load_tad66k(tmp_path, "all").items) == 3
    assert train.info.levels is None and train.info.scale == (0, 10)
    _write(tmp_path / "labels" / "merge" / "test.csv", "image,mos\nc.jpg,6.0\n")
    with pytest.raises(SourceFormatError, match=r"lacks the column.*score"):
        load_tad66k(tmp_path, "test")


# -- PARA ---------------------------------------------------------------------------------------------
PARA_LEVELS = ["1.0", "1.5", "2.0", "2.5", "3.0", "3.5", "4.0", "4.5", "5.0"]


def _para_csv(rows: list[tuple[str, str, str, list[int], float, float]]) -> str:
    header = [
        "imageName",
        "sessionId",
        "semantic",
        *[f"aestheticScore_{v}" for v in PARA_LEVELS],
        "aestheticScore_mean",
        "aestheticScore_std",
        "qualityScore_mean",
        "compositionScore_mean",
        "colorScore_mean",
    ]
    lines = [",".join(header)]
    for name, session, semantic, votes, mean, composition in rows:
        lines.append(
            ",".join(
                [name, session, semantic, *map(str, votes), str(mean), "0.5", "3.1", str(composition), ""]
            )
        )
    return "\n".join(lines) + "\n"


def test_para_giaa_files_votes_and_attributes(tmp_path: Path) -> None:
    votes = [0, 0, 1, 2, 10, 6, 3, 1, 0]
    _write(
        tmp_path / "annotation" / "PARA-GiaaTrain.csv",
        _para_csv([("iaa_pub1_.jpg", "session1", "portrait", votes, 3.4, 3.6)]),
    )
    _write(
        tmp_path / "annotation" / "PARA-GiaaTest.csv",
        _para_csv([("iaa_pub71_.jpg", "session2", "animal", votes, 2.9, 2.5)]),
    )
    _image(tmp_path / "imgs" / "session1" / "iaa_pub1_.jpg")
    _image(tmp_path / "imgs" / "session2" / "iaa_pub71_.jpg")
    item = load_para(tmp_path, "train").items[0]
    assert item.key == "session1/iaa_pub1_.jpg" and item.score == 3.4
    assert item.distribution == tuple(votes)
    assert item.attributes == {
        "qualityScore_mean": 3.1,
        "compositionScore_mean": 3.6,
    }  # blank colour left out
    info = load_para(tmp_path, "test").info
    assert info.levels == [float(v) for v in PARA_LEVELS] and info.scale == (1, 5)
    assert info.attribute_dimensions["compositionScore_mean"] == "composition"


def test_para_bad_vote_count(tmp_path: Path) -> None:
    text = _para_csv([("a.jpg", "s1", "x", [0] * 9, 3.0, 3.0)]).replace(
        "0,0,0,0,0,0,0,0,0", "0,0,x,0,0,0,0,0,0"
    )
    _write(tmp_path / "annotation" / "PARA-GiaaTest.csv", text)
    with pytest.raises(SourceFormatError, match=r"PARA-GiaaTest\.csv, line 2: field 'aestheticScore_2\.0'"):
        load_para(tmp_path, "test")


# -- FLICKR-AES ---------------------------------------------------------------------------------------
def test_flickr_aes_score_file_is_split_by_hash(tmp_path: Path) -> None:
    names = [f"farm{i}_x_.jpg" for i in range(40)]
    _write(tmp_path / "FLICKR-AES_image_score.txt", "".join(f" {n} {(i % 7) / 7:.4f}\n" for i, n in enumerate(names)))
    for name in names:
        _image(tmp_path / "40K" / name)
    everything = load_flickr_aes(tmp_path, "all")
    assert len(everything.items) == 40 and everything.info.scale == (0, 1) and everything.info.threshold == 0.5
    train, test = load_flickr_aes(tmp_path, "train"), load_flickr_aes(tmp_path, "test")
    assert {i.key for i in train.items} | {i.key for i in test.items} == set(names)
    assert all(hash_split(i.key) == "test" for i in test.items)
    _write(tmp_path / "FLICKR-AES_image_score.txt", "farm1.jpg 0.32 extra\n")
    with pytest.raises(SourceFormatError, match="line 1: expected 'name score'"):
        load_flickr_aes(tmp_path, "all")


# -- APDDv2 -------------------------------------------------------------------------------------------
APDD_HEADER = (
    "filename,Artistic Categories,Score,Theme and logic,Creativity,Layout and composition,"
    "Space and perspective,The sense of order,Light and shadow,Color,Details and texture,The overall,Mood"
)


def test_apddv2_split_csv_with_blank_attributes(tmp_path: Path) -> None:
    _write(
        tmp_path / "csvfiles" / "test.csv",
        APDD_HEADER + "\n7b02.png,oil painting*classicism*landscapes,3,5,,4,4,4.83,3.67,3.5,4,3.83,3.17\n",
    )
    _write(
        tmp_path / "APDDv2-10023.csv",
        APDD_HEADER.replace("Score", "Total aesthetic score", 1) + ",Language Comment\n"
        '7b02.png,oil painting,30,5,,4,4,4.83,3.67,3.5,4,3.83,3.17,"Rigid, flat."\n',
    )
    _image(tmp_path / "APDDv2image" / "7b02.png")
    item = load_apddv2(tmp_path, "test").items[0]
    assert item.score == 3.0 and "Creativity" not in item.attributes and item.attributes["Mood"] == 3.17
    assert load_apddv2(tmp_path, "all").items[0].score == pytest.approx(3.0)  # 0–100 total on the 0–10 scale
    info = load_apddv2(tmp_path, "test").info
    assert info.threshold == 5.0 and info.attribute_dimensions["Creativity"] == "originality"
    with pytest.raises(SourceFormatError, match="Unknown split 'dev'"):
        load_apddv2(tmp_path, "dev")


# -- ArtiMuse-10K -------------------------------------------------------------------------------------
def test_artimuse10k_test_json(tmp_path: Path) -> None:
    _write(
        tmp_path / "test.json",
        json.dumps([{"image": "a.jpg", "gt_score": 71.5}, {"image": "b.jpg", "gt_score": 40}]),
    )
    _image(tmp_path / "images" / "a.jpg")
    data = load_artimuse10k(tmp_path, "test")
    assert [(i.key, i.score) for i in data.items] == [("a.jpg", 71.5)] and data.info.missing == 1
    assert data.info.scale == (0, 100) and data.info.threshold == 50
    _write(tmp_path / "test.json", json.dumps([{"image": "a.jpg", "score": 71.5}]))
    with pytest.raises(SourceFormatError, match=r"test\.json, entry 0: needs fields 'image' and 'gt_score'"):
        load_artimuse10k(tmp_path, "test")
    _write(tmp_path / "test.json", "{not json")
    with pytest.raises(SourceFormatError, match="not valid JSON"):
        load_artimuse10k(tmp_path, "test")


def test_load_dataset_by_format_name_suggests_close_names(ava: Path) -> None:
    assert len(load_dataset("AVA", ava, "test").items) == 1
    with pytest.raises(UnknownNameError, match="Did you mean 'tad66k'"):
        load_dataset("tad66", ava, "test")
