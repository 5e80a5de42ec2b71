"""The version-0 questionnaire: forms and codebook built from a study spec.

* :mod:`.forms`     spec -> a neutral form model (customer form, mirrored staff form)
* :mod:`.xlsform`   form model -> XLSForm workbook (KoBoToolbox / ODK)
* :mod:`.qualtrics` form model -> Qualtrics Advanced Format TXT (and a parser for it)
* :mod:`.codebook`  codebook workbook rows and the machine-readable codebook (a
                    normalised copy of the spec that :func:`cxstats.spec.load.load_spec` reads)
* :mod:`.check`     the methodologist's lint of a spec
* :mod:`.build`     everything above -> files in a folder, written whole or not at all

Builders are pure: spec in, objects or bytes out. Only :mod:`.build` writes files.
"""
