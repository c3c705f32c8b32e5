"""cleanfreight.planning"""
