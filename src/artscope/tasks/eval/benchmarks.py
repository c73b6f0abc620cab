"""The benchmark registry: each benchmark declares its task, its metrics, the published layout it reads,
where to get the data, what of the paper's protocol is not implemented, and the loader that reads it
(imported only when the benchmark is run)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from artscope.errors import InvalidInputError
from artscope.registry import Registry

TaskKind = Literal["text_to_image", "image_to_text", "composed", "dialogue", "attributes", "aesthetics",
                   "captioning", "qa"]


class BenchmarkSpec(BaseModel):
    """What ``artscope eval NAME`` runs and how it reads ``--data``."""

    name: str
    task: TaskKind
    metrics: list[str]
    """The numbers reported (a metric ending in ``/*`` is reported per group: category, aspect, level, kind)."""
    loader: str
    """``module:function`` called as ``function(data_dir, **loader_args)``."""
    loader_args: dict[str, Any] = Field(default_factory=dict)
    options: list[str] = Field(default_factory=list)
    """Loader arguments the command line may set (``--scale`` sets ``scale``)."""
    layout: str
    source: str
    """Where to get the data (and any licence note)."""
    not_implemented: str = ""
    """What of the paper's protocol this benchmark does not do, in words ("" when nothing)."""
    submission: Literal["cirr", "circo"] | None = None
    """Set for server-scored splits: predictions are written in the server's submission format."""
    exclude_reference: bool = False
    """Composed retrieval: drop the reference image from the ranking (CIRR's protocol)."""

    def load(self, data_dir: Path, options: dict[str, Any] | None = None) -> Any:
        """Read the benchmark from ``data_dir`` with its loader (imported here, lazily)."""
        unknown = sorted(set(options or {}) - set(self.options))
        if unknown:
            raise InvalidInputError(f"{self.name} takes no {', '.join(unknown)} option (it takes: "
                                    f"{', '.join(self.options) or 'none'}).")
        module, _, function = self.loader.partition(":")
        return getattr(importlib.import_module(module), function)(Path(data_dir), **self.loader_args,
                                                                  **(options or {}))


benchmarks: Registry[BenchmarkSpec] = Registry("benchmarks")


def add(spec: BenchmarkSpec) -> None:
    benchmarks.register(spec.name)(spec)


RETRIEVAL = "artscope.datasets.retrieval"
TEXT = "artscope.datasets.text"
ATTRIBUTES = "artscope.datasets.attributes"
AESTHETICS = "artscope.datasets.aesthetics"
APDDV2 = "artscope.datasets.apddv2"
RECALL = ["recall@1", "recall@5", "recall@10"]
CORRELATIONS = ["srcc", "plcc", "plcc_logistic"]
CAPTIONING = ["bleu1", "bleu2", "bleu3", "bleu4", "rouge_l", "cider_d", "meteor"]
ATTRIBUTE_METRICS = ["accuracy", "macro_f1", "top5_accuracy", "ece"]
NO_SPICE = "SPICE (needs Stanford CoreNLP models that pycocoevalcap downloads on first use)"

_KARPATHY = {
    "flickr30k": (f"{RETRIEVAL}:load_flickr30k",
                  "flickr_annotations_30k.csv (raw, sentids, split, filename, img_id) + flickr30k-images/; the 1k "
                  "test split is split == 'test' (Karpathy); test_1k_flickr.csv + images_flickr_1k_test/ also read",
                  "https://huggingface.co/datasets/nlphuji/flickr30k (or nlphuji/flickr_1k_test_image_text_retrieval)"),
    "mscoco-5k": (f"{RETRIEVAL}:load_mscoco_5k",
                  "test_5k_mscoco_2014.csv (raw, filename, split, ...) + images_mscoco_2014_5k_test/",
                  "https://huggingface.co/datasets/nlphuji/mscoco_2014_5k_test_image_text_retrieval"),
}
_UNCHECKED_CSV = "not checked against nlphuji's released CSV (none could be obtained here)"
for _name, (_loader, _layout, _source) in _KARPATHY.items():
    add(BenchmarkSpec(name=_name, task="text_to_image", metrics=RECALL, loader=_loader, layout=_layout,
                      source=_source, not_implemented=_UNCHECKED_CSV))
    add(BenchmarkSpec(name=f"{_name}-i2t", task="image_to_text", metrics=RECALL, loader=_loader, layout=_layout,
                      source=_source, not_implemented="needs a cross-modal model (hf:, open_clip:); the builtin "
                      f"embedder has no shared image-text space; {_UNCHECKED_CSV}"))
for _split, _submit in (("val", None), ("test1", "cirr")):
    add(BenchmarkSpec(
        name=f"cirr-{_split}", task="composed", loader=f"{RETRIEVAL}:load_cirr", loader_args={"split": _split},
        metrics=[] if _submit else ["recall@1", "recall@5", "recall@10", "recall@50", "recall_subset@1",
                                    "recall_subset@2", "recall_subset@3"],
        layout=f"captions/cap.rc2.{_split}.json, image_splits/split.rc2.{_split}.json, img_raw/"
               f"{'dev' if _split == 'val' else 'test1'}/*.png",
        source="https://github.com/Cuberick-Orion/CIRR (annotations); images from NLVR2 (raw images)",
        not_implemented="scored by the CIRR server: the run writes its two submission files" if _submit else "",
        submission=_submit, exclude_reference=True))
for _split, _submit in (("val", None), ("test", "circo")):
    add(BenchmarkSpec(
        name=f"circo-{_split}", task="composed", loader=f"{RETRIEVAL}:load_circo", loader_args={"split": _split},
        metrics=[] if _submit else ["map@5", "map@10", "map@25", "map@50", "recall@5", "recall@10",
                                    "recall@25", "recall@50", "map@10/*"],
        layout=f"annotations/{_split}.json, COCO2017_unlabeled/annotations/image_info_unlabeled2017.json, "
               "COCO2017_unlabeled/unlabeled2017/*.jpg",
        source="https://github.com/miccunifi/CIRCO (annotations); images: COCO 2017 unlabeled (cocodataset.org)",
        not_implemented="scored by the CIRCO server: the run writes its submission file" if _submit else "",
        submission=_submit))
_FASHIONIQ_LAYOUT = ("captions/cap.{c}.val.json, image_splits/split.{c}.val.json, images/<asin>.<ext> (the folder "
                     "itself or CLIP4Cir's fashionIQ_dataset/ inside it)")
_FASHIONIQ_SOURCE = "https://github.com/XiaoxiaoGuo/fashion-iq (annotations and image URLs)"
add(BenchmarkSpec(
    name="fashioniq", task="composed", metrics=["recall@10", "recall@50", "recall@10/*", "recall@50/*", "average"],
    loader=f"{RETRIEVAL}:load_fashioniq_all", layout=_FASHIONIQ_LAYOUT.format(c="{dress,shirt,toptee}"),
    source=_FASHIONIQ_SOURCE))
for _category in ("dress", "shirt", "toptee"):
    add(BenchmarkSpec(
        name=f"fashioniq-{_category}", task="composed", metrics=["recall@10", "recall@50"],
        loader=f"{RETRIEVAL}:load_fashioniq", loader_args={"category": _category, "split": "val"},
        layout=_FASHIONIQ_LAYOUT.format(c=_category), source=_FASHIONIQ_SOURCE))
add(BenchmarkSpec(
    name="visdial-chatir", task="dialogue", metrics=[f"hits@10_round{r}" for r in range(11)],
    loader=f"{RETRIEVAL}:load_chatir",
    layout="dialogues/VisDial_v1.0_queries_val.json ([{img, dialog}]), Search_Space_val_50k.json under "
           "ChatIR_Protocol/ (ChatIR) or Protocol/ (PlugIR), unlabeled2017/*.jpg (COCO 2017 unlabeled)",
    source="https://github.com/levymsn/ChatIR or https://github.com/Saehyung-Lee/PlugIR (queries, search space); "
           "images: COCO 2017 unlabeled",
    not_implemented="the dialogue turns are the published ones (ChatIR's protocol); PlugIR's own question "
                    "generation needs a language model and is not run"))

for _field in ("style", "artist", "genre"):
    _folder = _field.capitalize()
    add(BenchmarkSpec(
        name=f"wikiart-{_field}", task="attributes", metrics=ATTRIBUTE_METRICS,
        loader=f"{ATTRIBUTES}:load_wikiart_benchmark", loader_args={"task": _field},
        layout=f"ArtGAN's 'WikiArt Dataset' folder: {_folder}/{_field}_class[.txt], {_folder}/{_field}_train[.csv], "
               f"{_folder}/{_field}_val[.csv] ('path/to/image.jpg,class_index'; the artist lists have a header "
               "and ',,'), images under wikiart/<Style>/<file>.jpg",
        source="https://github.com/cs-chan/ArtGAN ('WikiArt Dataset/'; images: the ArtGAN wikiart.zip)"))
add(BenchmarkSpec(
    name="artgraph-style", task="attributes", metrics=ATTRIBUTE_METRICS, loader=f"{ATTRIBUTES}:load_artgraph_benchmark",
    loader_args={"attribute": "style"},
    layout="a CSV export of ArtGraph's artworks: an image column (image, file, path, name), a style column, "
           "optional split (train/val/test; a stable 80/20 hash otherwise), images/ beside it",
    source="ArtGraph (Castellano et al. 2021), WikiArt images",
    not_implemented="ArtGraph's own Neo4j dump is not read: export its artworks with their style to CSV first"))

# The aesthetic loaders live in artscope.datasets.aesthetics (and .apddv2), which document each layout in full.
_AESTHETICS = {
    "ava": ("load_ava", "AVA_dataset/ (or its parent): AVA.txt (index, image id, votes for 1..10, tags, challenge), "
            "aesthetics_image_lists/generic_test.jpgl, image/<id>.jpg",
            "AVA (Murray et al., CVPR 2012) as distributed", [*CORRELATIONS, "binary_accuracy", "emd"], [], ""),
    "tad66k": ("load_tad66k", "labels/merge/test.csv or TANet's dataset/merge/test.csv (image, score 0–10) + TAD66K/",
               "TAD66K (He et al., IJCAI 2022): https://github.com/woshidandan/TANet", CORRELATIONS, [], ""),
    "para": ("load_para", "annotation/PARA-GiaaTest.csv (imageName, sessionId, aestheticScore_1.0..5.0, "
             "aestheticScore_mean, attribute means) + imgs/<sessionId>/<imageName>",
             "PARA (Yang et al., CVPR 2022)", CORRELATIONS, [],
             "not checked against PARA's released files (none could be obtained here)"),
    "flickr-aes": ("load_flickr_aes", "test.json ([{image, gt_score}], scores 0–1, as ArtiMuse ships it) or "
                   "FLICKR-AES_image_score.txt ('name score', 0–1) + 40K/",
                   "FLICKR-AES (Ren et al., ICCV 2017); test list: https://github.com/thunderbolt215/ArtiMuse",
                   CORRELATIONS, [], ""),
    "apddv2": ("load_apddv2", "ArtQuant's meta/score.json (5-level score distributions) + apddv2_test.json, or "
               "APDDv2's csvfiles/test.csv; images/ (ArtQuant) or APDDv2image/",
               "APDDv2: https://github.com/BestiVictory/APDDv2; ArtQuant's files: https://github.com/Henglin-Liu/"
               "ArtQuant (RAD)", [*CORRELATIONS, "emd"], [], "EMD only where every test image has a distribution"),
    "artimuse-10k": ("load_artimuse10k", "test.json ([{image, gt_score}]) + images/; --scale LOW,HIGH for "
                     "ArtiMuse's other test lists (AVA 1,10; TAD66K 0,10; PARA 1,5; FLICKR-AES 0,1)",
                     "ArtiMuse-10K: https://github.com/thunderbolt215/ArtiMuse", CORRELATIONS, ["scale"], ""),
}
for _name, (_function, _layout, _source, _metrics, _options, _missing) in _AESTHETICS.items():
    _module = APDDV2 if _name == "apddv2" else AESTHETICS
    add(BenchmarkSpec(name=_name, task="aesthetics", metrics=_metrics, layout=_layout, source=_source,
                      loader=f"{_module}:{_function}", options=_options, not_implemented=_missing))

add(BenchmarkSpec(
    name="apddv2-descriptions", task="captioning", metrics=[f"{m}/level_*" for m in CAPTIONING],
    loader=f"{APDDV2}:load_apddv2_descriptions",
    layout="ArtQuant's meta/descriptions_level_{1,2,3}.json (LLaVA conversations; the gpt turn is the "
           "description) + apddv2_test.json or csvfiles/test.csv + images/",
    source="ArtQuant (https://github.com/Henglin-Liu/ArtQuant, RAD release); images: APDDv2", not_implemented=NO_SPICE))
add(BenchmarkSpec(
    name="artpedia", task="captioning", metrics=CAPTIONING, loader=f"{TEXT}:load_artpedia",
    layout="artpedia.json ({id: {title, img_url, year, visual_sentences, contextual_sentences, split}}) + "
           "images/<id>.<ext> (downloaded from img_url)",
    source="https://aimagelab.ing.unimore.it/imagelab/page.asp?IdPage=35",
    not_implemented=f"{NO_SPICE}; not checked against ArtPedia's released file (none could be obtained here)"))
add(BenchmarkSpec(
    name="semart", task="captioning", metrics=CAPTIONING, loader=f"{TEXT}:load_semart",
    layout="semart_test.csv (tab-separated, Latin-1: IMAGE_FILE, DESCRIPTION, AUTHOR, TITLE, TECHNIQUE, DATE, "
           "TYPE, SCHOOL, TIMEFRAME) + Images/",
    source="https://researchdata.aston.ac.uk/id/eprint/380/ (SemArt)",
    not_implemented=f"{NO_SPICE}; not checked against SemArt's released file (none could be obtained here)"))
add(BenchmarkSpec(
    name="paintingform", task="captioning", metrics=CAPTIONING, loader=f"{TEXT}:load_paintingform",
    layout="train_samples_tuning.json (LLaVA conversations) + art_images_data/images/<n>.png",
    source="https://huggingface.co/datasets/steven16/Painting-Form (GalleryGPT)",
    not_implemented=f"{NO_SPICE}; not checked against the released file (none could be obtained here)"))
add(BenchmarkSpec(
    name="museum-qa", task="qa", loader=f"{TEXT}:load_museum_qa",
    metrics=["exact_match", "token_f1", "exact_match/*", "token_f1/*", "vqa_accuracy"],
    layout="qa.jsonl ({id, image, question, answer | answers, category} per line) + the images it names; "
           "category is the question kind the per-kind numbers group by",
    source="artscope's MUSEUM-style protocol (MUSEUM-65, insait-institute, publishes no data or code); any "
           "museum's QA pairs in this shape",
    not_implemented="vqa_accuracy only when every question has 3 or more human answers"))
