"""Meeting material: the running order and slides (material), charts, images, the PPTX deck and XLSX table."""
