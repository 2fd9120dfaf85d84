"""Generative model runs: prompts, responses and an evaluator's verdicts.

Importing responses and pass rules, the generative error modes' building blocks (refusals, reference
answers, length outliers), the length-bias check, run-to-run comparison and the leaderboard, token
counts and the diversity of responses over versions.
"""
