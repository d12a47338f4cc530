"""Client Support Centre enquiries; the models arrive with the enquiries issue."""
