"""doluong.reports"""
