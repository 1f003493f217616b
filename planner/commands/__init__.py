"""One module per `planner` sub-command; each defines `register(subparsers)`."""
