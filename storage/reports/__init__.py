"""Evidence out: the reads behind the IDP, the cohort report and the School Summary Report.

Each report is built from a handful of set-based queries (one per record kind, for every
trainee in the report at once) and returned as plain dataclasses; rendering is elsewhere.
"""
