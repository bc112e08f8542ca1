"""Corpus stage of the training recipe: text, speech synthesis, augmentation."""
