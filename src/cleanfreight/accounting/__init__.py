"""cleanfreight.accounting"""
