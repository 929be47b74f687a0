"""PDF rendering: WeasyPrint behind a fetcher that reads only our assets, in a bounded process pool."""
