"""Read the store and call the pure rules: what the pages, the meeting material and the CLI show."""
