"""One module per `bench` subcommand; each defines a click command named ``command``."""
