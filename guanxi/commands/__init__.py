"""The `guanxi` command's subcommands, one module per group. `guanxi/cli.py` parses the
arguments, starts Django and only then imports the module of the command asked for: models
cannot be imported before Django is set up, and a light command (`guanxi tiers presets`) should
not pay for the analytics (scipy) or the importer (polars) it never uses."""
