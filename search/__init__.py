"""Query-time half of SenseSearch: query -> search -> explain.

Loads what `indexing` saved; never trains.
"""
