"""Meeting material: the running order and slides (material), charts, chart images, the PPTX deck and the XLSX table."""
