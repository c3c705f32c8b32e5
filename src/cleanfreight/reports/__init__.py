"""cleanfreight.reports"""
