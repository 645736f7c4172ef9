"""Understanding WhatsApp messages from guests, written in Argentine Spanish.

Pure and deterministic: keyword cues and small grammars over a normalized text, no network and
no learned model, so every reading can be explained and pinned by the corpus in
``tests/data/whatsapp_corpus.json``. ``interpret`` is the entry point; the conversation flow
(what to answer, what to ask next) lives in the application layer.
"""
