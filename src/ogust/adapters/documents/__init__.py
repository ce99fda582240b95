"""Documents: download links and rendering."""
