# %% [markdown]
# ---
# title: "Vangdalen"
# description: "Udviklingen i Vangdalen over alle år: listerne, beboerne, kriterierne og helhedsplanens indikatorer."
# ---

# %%
#| tags: [parameters]
area_id = "vangdalen"

# %%
from IPython.display import display

from boligmonitor.site import goal_sections, pages

for part in pages.area_page(area_id):
    display(part)
display(*goal_sections.area_goals(area_id))

# %%
from boligmonitor.site import flow_sections

display(*flow_sections.area_section(area_id))
