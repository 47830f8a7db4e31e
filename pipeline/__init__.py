"""vnocr: OCR and diacritic restoration for scanned Vietnamese documents.

Data flows one way through the stages, one module each:
load -> ocr -> tokens -> candidates -> decode -> text -> outputs.
"""

__version__ = "0.1.0"
