"""Command-line interface (the edge that talks to people)."""
