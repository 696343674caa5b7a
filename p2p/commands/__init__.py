"""Click commands: parse options, call one service function, print. Nothing else."""
