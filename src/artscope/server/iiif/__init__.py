"""IIIF out: Presentation 3 manifests and collections, and an Image API 3 service over the stored images
(the routes are in ``artscope.server.routes.iiif``)."""
