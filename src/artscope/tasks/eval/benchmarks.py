"""The benchmark registry: each benchmark declares its task, its metrics, its on-disk layout, where to
get the data, and the loader that reads it (imported only when the benchmark is run)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from artscope.registry import Registry

TaskKind = Literal["text_to_image", "composed", "dialogue", "attributes", "aesthetics", "captioning", "qa"]


class BenchmarkSpec(BaseModel):
    """What ``artscope eval NAME`` runs and how it reads ``--data``."""

    name: str
    task: TaskKind
    metrics: list[str]
    loader: str
    """``module:function`` called as ``function(data_dir, **loader_args)``."""
    loader_args: dict[str, Any] = Field(default_factory=dict)
    layout: str
    source: str
    """Where to get the data (and any licence note)."""
    submission: Literal["cirr", "circo"] | None = None
    """Set for server-scored splits: predictions are written in the server's submission format."""
    exclude_reference: bool = False
    """Composed retrieval: drop the reference image from the ranking (CIRR's protocol)."""

    def load(self, data_dir: Path) -> Any:
        """Read the benchmark from ``data_dir`` with its loader (imported here, lazily)."""
        module, _, function = self.loader.partition(":")
        return getattr(importlib.import_module(module), function)(Path(data_dir), **self.loader_args)


benchmarks: Registry[BenchmarkSpec] = Registry("benchmarks")


def add(spec: BenchmarkSpec) -> None:
    benchmarks.register(spec.name)(spec)


RETRIEVAL = "artscope.datasets.retrieval"
TEXT = "artscope.datasets.text"
ATTRIBUTES = "artscope.datasets.attributes"
AESTHETICS = "artscope.datasets.aesthetics"
RECALL_T2I = ["recall@1", "recall@5", "recall@10"]
CORRELATIONS = ["srcc", "plcc", "plcc_logistic"]
CAPTIONING = ["bleu1", "bleu2", "bleu3", "bleu4", "rouge_l", "cider_d"]
ATTRIBUTE_METRICS = ["accuracy", "macro_f1", "top5_accuracy", "ece"]

add(BenchmarkSpec(
    name="flickr30k", task="text_to_image", metrics=RECALL_T2I, loader=f"{RETRIEVAL}:load_flickr30k",
    layout="flickr_annotations_30k.csv (raw, sentids, split, filename, img_id) + flickr30k-images/; "
           "the 1k test split is split == 'test' (Karpathy)",
    source="https://huggingface.co/datasets/nlphuji/flickr30k (or nlphuji/flickr_1k_test_image_text_retrieval)"))
add(BenchmarkSpec(
    name="mscoco-5k", task="text_to_image", metrics=RECALL_T2I, loader=f"{RETRIEVAL}:load_mscoco_5k",
    layout="test_5k_mscoco_2014.csv (raw, filename, split, ...) + images_mscoco_2014_5k_test/",
    source="https://huggingface.co/datasets/nlphuji/mscoco_2014_5k_test_image_text_retrieval"))
for _split, _submit in (("val", None), ("test1", "cirr")):
    add(BenchmarkSpec(
        name=f"cirr-{_split}", task="composed", loader=f"{RETRIEVAL}:load_cirr", loader_args={"split": _split},
        metrics=[] if _submit else ["recall@1", "recall@5", "recall@10", "recall@50", "recall_subset@1",
                                    "recall_subset@2", "recall_subset@3"],
        layout=f"captions/cap.rc2.{_split}.json, image_splits/split.rc2.{_split}.json, img_raw/"
               f"{'dev' if _split == 'val' else 'test1'}/*.png",
        source="https://github.com/Cuberick-Orion/CIRR (annotations); images from NLVR2 (raw images)",
        submission=_submit, exclude_reference=True))
for _split, _submit in (("val", None), ("test", "circo")):
    add(BenchmarkSpec(
        name=f"circo-{_split}", task="composed", loader=f"{RETRIEVAL}:load_circo", loader_args={"split": _split},
        metrics=[] if _submit else ["map@5", "map@10", "map@25", "map@50", "recall@5", "recall@10",
                                    "recall@25", "recall@50"],
        layout=f"annotations/{_split}.json, COCO2017_unlabeled/annotations/image_info_unlabeled2017.json, "
               "COCO2017_unlabeled/unlabeled2017/*.jpg",
        source="https://github.com/miccunifi/CIRCO (annotations); images: COCO 2017 unlabeled (cocodataset.org)",
        submission=_submit))
for _category in ("dress", "shirt", "toptee"):
    add(BenchmarkSpec(
        name=f"fashioniq-{_category}", task="composed", metrics=["recall@10", "recall@50"],
        loader=f"{RETRIEVAL}:load_fashioniq", loader_args={"category": _category, "split": "val"},
        layout=f"captions/cap.{_category}.val.json, image_splits/split.{_category}.val.json, images/<asin>.png",
        source="https://github.com/XiaoxiaoGuo/fashion-iq (annotations and image URLs)"))
add(BenchmarkSpec(
    name="visdial-chatir", task="dialogue", metrics=[f"hits@10_round{r}" for r in range(11)],
    loader=f"{RETRIEVAL}:load_chatir",
    layout="dialogues/VisDial_v1.0_queries_val.json ([{img, dialog}]), "
           "ChatIR_Protocol/Search_Space_val_50k.json, unlabeled2017/*.jpg (COCO 2017 unlabeled)",
    source="https://github.com/levymsn/ChatIR (queries, search space); images: COCO 2017 unlabeled; "
           "PlugIR uses the same files"))

for _field in ("style", "artist", "genre"):
    add(BenchmarkSpec(
        name=f"wikiart-{_field}", task="attributes", metrics=ATTRIBUTE_METRICS,
        loader=f"{ATTRIBUTES}:load_wikiart", loader_args={"task": _field},
        layout=f"{_field}_train.csv, {_field}_val.csv ('path/to/image.jpg,class_index'), {_field}_class.txt, "
               "wikiart/<Style>/<file>.jpg",
        source="https://github.com/cs-chan/ArtGAN (WikiArt Dataset/, ArtGAN CSV splits)"))
add(BenchmarkSpec(
    name="artgraph-style", task="attributes", metrics=ATTRIBUTE_METRICS, loader=f"{ATTRIBUTES}:load_artgraph",
    loader_args={"task": "style"}, layout="an ArtGraph export: artworks with their artist, style and genre labels "
    "(see artscope.datasets.attributes)",
    source="ArtGraph (Castellano et al. 2021, 'ArtGraph: Towards an Artistic Knowledge Graph'), WikiArt images"))

# The aesthetic loaders live in artscope.datasets.aesthetics, which documents each layout in full.
_AESTHETICS = {
    "ava": ("AVA.txt (index, image id, vote counts for scores 1..10, tags, challenge) + images/<id>.jpg",
            "AVA (Murray et al., CVPR 2012): AVA.txt and the images from the original release",
            [*CORRELATIONS, "binary_accuracy", "emd"]),
    "tad66k": ("TAD66K test labels + images", "TAD66K (He et al., IJCAI 2022, the TANet paper)", CORRELATIONS),
    "para": ("PARA annotation CSVs + images", "PARA (Yang et al., CVPR 2022, personalized aesthetics with rich "
             "attributes)", CORRELATIONS),
    "flickr-aes": ("FLICKR-AES score file + images",
                   "FLICKR-AES (Ren et al., ICCV 2017): github.com/alanspike/personalizedImageAesthetics",
                   CORRELATIONS),
    "apddv2": ("APDDv2 score table + images", "APDDv2 (aesthetics of paintings and drawings, artist-labelled "
               "scores and comments)", CORRELATIONS),
    "artimuse-10k": ("test.json ([{image, gt_score}]) + images", "ArtiMuse-10K: github.com/thunderbolt215/ArtiMuse",
                     CORRELATIONS),
}
for _name, (_layout, _source, _metrics) in _AESTHETICS.items():
    add(BenchmarkSpec(name=_name, task="aesthetics", metrics=_metrics, layout=_layout, source=_source,
                      loader=f"{AESTHETICS}:load_{_name.replace('-10k', '10k').replace('-', '_')}"))

add(BenchmarkSpec(
    name="artpedia", task="captioning", metrics=CAPTIONING, loader=f"{TEXT}:load_artpedia",
    layout="artpedia.json ({id: {title, img_url, year, visual_sentences, contextual_sentences, split}}) + "
           "images/<id>.<ext> (downloaded from img_url)",
    source="https://aimagelab.ing.unimore.it/imagelab/page.asp?IdPage=35"))
add(BenchmarkSpec(
    name="semart", task="captioning", metrics=CAPTIONING, loader=f"{TEXT}:load_semart",
    layout="semart_test.csv (tab-separated, Latin-1: IMAGE_FILE, DESCRIPTION, AUTHOR, TITLE, TECHNIQUE, DATE, "
           "TYPE, SCHOOL, TIMEFRAME) + Images/",
    source="https://researchdata.aston.ac.uk/id/eprint/380/ (SemArt)"))
add(BenchmarkSpec(
    name="paintingform", task="captioning", metrics=CAPTIONING, loader=f"{TEXT}:load_paintingform",
    layout="train_samples_tuning.json (LLaVA conversations) + art_images_data/images/<n>.png",
    source="https://huggingface.co/datasets/steven16/Painting-Form (GalleryGPT)"))
add(BenchmarkSpec(
    name="museum-qa", task="qa", loader=f"{TEXT}:load_museum_qa",
    metrics=["precision_complete", "recall_complete", "precision_partial", "recall_partial", "bleu1", "bleu2",
             "vqa_accuracy"],
    layout="qa.jsonl ({id, image, question, answer | answers, category} per line) + the images it names",
    source="MUSEUM-65-style exports (insait-institute/Museum-65); any museum's QA pairs in this shape"))
