"""Media shared by ingest, every task and the server: safe image loading, hashing, URL fetching, dates."""
