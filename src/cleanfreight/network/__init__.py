"""cleanfreight.network"""
