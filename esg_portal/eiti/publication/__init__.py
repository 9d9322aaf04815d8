"""Publication: immutable releases, the EITI open-data files, the SDT workbook, the DCAT catalogue."""
