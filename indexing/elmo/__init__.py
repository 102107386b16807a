"""ELMo (Peters et al., 2018): a character-CNN biLM, its AllenNLP weight loader,
an encoder for token vectors, and a trainer for our own small model.

Blocks, in data-flow order: ``characters`` -> ``char_cnn`` (+ ``highway``) ->
``lstm`` -> ``bilm`` -> ``scalar_mix`` -> ``encoder`` (+ ``token_cache``);
``weights`` loads published models, ``persistence`` our own; ``train`` (with
``tokenizer``, ``sources``, ``corpus``, ``vocab``, ``batches``, ``language_model``,
``checkpoint``) makes them; ``benchmark`` measures them.

Import from the modules (``from indexing.elmo.encoder import ElmoEncoder``): this
file imports nothing, so ``python -m indexing.elmo`` can set OpenMP's wait policy
before torch loads (see ``__main__``).
"""
