"""cleanfreight.ledger"""
