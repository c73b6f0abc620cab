"""The bundled demo data: 70 public-domain and openly licensed images with records and passages
(credits and licences in ``sample-collection/LICENSES.md``)."""

from pathlib import Path

SAMPLE_COLLECTION = Path(__file__).parent / "sample-collection"

DEMO_QUERIES = (
    "a cafe at night under the stars",
    "Roman amphitheatre",
    "pyramid in the desert",
    "temple carved into rock",
)
