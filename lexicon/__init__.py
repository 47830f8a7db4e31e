"""The shipped model files (package data of `vnocr.lexicon`); see README.md beside this file."""
