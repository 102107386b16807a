"""Word senses induced from the corpus: contextual ELMo vectors of each
frequent word clustered into senses (cluster.py), kept as an inventory with
human-readable labels (inventory.py)."""
