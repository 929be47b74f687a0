"""Group-wide catalogues: case sources and categories, and the working-day calendar's overrides."""
