"""The rules of follow-up, pure Python: periods, aggregation, target rules, assessment, plan evaluation, small-number
suppression; Prognos helår (forecast, backtest, outlook) and placements against budget."""
