"""cleanfreight.dispatch"""
