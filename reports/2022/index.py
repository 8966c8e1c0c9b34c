# %% [markdown]
# ---
# title: "Årsrapport 2022"
# description: "Listen pr. 1. december 2022, kriterierne med afstanden til grænserne, helhedsplanens indikatorer."
# ---

# %%
#| tags: [parameters]
year = 2022

# %%
from IPython.display import display

from boligmonitor.site import goal_sections, pages

display(*goal_sections.goal_overview(year))
for part in pages.annual_report(year):
    display(part)

# %%
from boligmonitor.site import flow_sections

display(*flow_sections.annual_report_section(year))
