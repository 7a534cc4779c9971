"""The demo catalog's employers and projects: fictional organisations, realistic work.

Written for Microbridge's demo. Domains use the reserved ``.example`` top-level domain.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoEmployer:
    key: str
    name: str
    website: str
    contact: str
    """The first member's address; at the website's domain unless the employer is unverified."""
    about: str


@dataclass(frozen=True)
class DemoProject:
    employer: str
    discipline: str
    title: str
    summary: str
    context: str
    task: str
    good: tuple[str, ...]
    deliverables: tuple[str, ...]
    skills: tuple[str, ...]
    hours: int
    mode: str = "remote"
    location: str = ""
    pay: str = "paid"
    """paid | stipend | unpaid"""
    rate: int = 25
    """For paid work: USD per estimated hour; for a stipend: the total."""
    team: int = 1
    capacity: int = 2


EMPLOYERS = [
    DemoEmployer("foodbank", "Harborview Food Bank", "https://harborview-foodbank.example",
                 "ops@harborview-foodbank.example",
                 "Feeds 4,000 households a week from two warehouses and 30 pantries."),
    DemoEmployer("bikes", "Tandem Bikes Co-op", "https://tandembikes.example",
                 "hello@tandembikes.example",
                 "A worker-owned bike shop with a repair school and a used-bike program."),
    DemoEmployer("credit", "Northgate Credit Union", "https://northgatecu.example",
                 "analytics@northgatecu.example",
                 "A member-owned credit union with 38,000 members and six branches."),
    DemoEmployer("solar", "Lumen Solar Installers", "https://lumensolar.example",
                 "projects@lumensolar.example",
                 "Designs and installs rooftop solar for homes and small businesses."),
    DemoEmployer("clinic", "Brightside Pediatric Clinic", "https://brightside-peds.example",
                 "quality@brightside-peds.example",
                 "A community pediatric clinic serving 9,000 children, half on Medicaid."),
    DemoEmployer("transit", "Cobalt Transit Authority", "https://cobalttransit.example",
                 "planning@cobalttransit.example",
                 "Runs 42 bus routes and a paratransit service across a mid-sized metro."),
    DemoEmployer("library", "Fernwood Public Library", "https://fernwoodlibrary.example",
                 "outreach@fernwoodlibrary.example",
                 "Five branches, a bookmobile, and a makerspace that opened last year."),
    DemoEmployer("bakery", "Kettle & Crumb Bakery", "https://kettleandcrumb.example",
                 "kettleandcrumb.bakes@gmail.com",
                 "A two-location neighbourhood bakery that started wholesale this year."),
    DemoEmployer("housing", "Meridian Housing Trust", "https://meridianhousing.example",
                 "research@meridianhousing.example",
                 "A community land trust with 310 permanently affordable homes."),
    DemoEmployer("freight", "Atlas Freight Logistics", "https://atlasfreight.example",
                 "ops-team@atlasfreight.example",
                 "A regional carrier with 120 trucks and a cross-dock warehouse."),
    DemoEmployer("theatre", "Quill Theatre Company", "https://quilltheatre.example",
                 "quill.theatre.office@outlook.com",
                 "A 220-seat repertory theatre producing six shows a season."),
    DemoEmployer("water", "Greenway Water District", "https://greenwaywater.example",
                 "engineering@greenwaywater.example",
                 "Supplies drinking water to 60,000 people from two treatment plants."),
]


PROJECTS = [
    # -- data ---------------------------------------------------------------------------------
    DemoProject(
        "credit", "data", "Member churn early-warning model",
        "Find the signals that a member is about to move their accounts elsewhere.",
        "About 4% of our members close their accounts each year, and we usually learn why "
        "only afterwards. We have five years of anonymised account activity.",
        "Explore the data, build a simple, explainable model that flags members at risk, and "
        "tell us which signals matter most.",
        ("A model a branch manager can understand, not just an accuracy score.",
         "Honest limits: what the data cannot tell us."),
        ("A notebook with the analysis and model", "A two-page memo for branch managers"),
        ("Python", "SQL", "Machine learning", "Data visualisation"), 45, team=2, capacity=2,
        rate=30),
    DemoProject(
        "clinic", "data", "No-show patterns in well-child visits",
        "Work out which appointments are most likely to be missed, and why.",
        "One in five well-child appointments is missed. Each no-show is a lost vaccination "
        "window and an empty slot another family needed.",
        "Analyse two years of de-identified scheduling data to find patterns by day, time, "
        "lead time, reminder type and distance, and suggest two changes we could pilot.",
        ("Findings a front-desk team can act on.", "Careful handling of small groups."),
        ("An analysis report with charts", "A one-page pilot proposal"),
        ("R", "Statistics", "Data cleaning", "Data visualisation"), 35, capacity=3, rate=28),
    DemoProject(
        "transit", "data", "Bus ridership dashboard after the network redesign",
        "Show how ridership changed, route by route, since the new network launched.",
        "We redrew our bus network last spring. The board keeps asking whether it worked, and "
        "the answer is scattered across fare, counter and GPS data.",
        "Join the automatic passenger counter data with the route tables and build a "
        "dashboard that compares each route before and after, adjusted for season.",
        ("Comparisons that account for seasonal swings.", "A dashboard a board member can read."),
        ("A Tableau or Looker Studio dashboard", "A method note of one page"),
        ("SQL", "Tableau", "Dashboards", "Statistics"), 40, team=2, capacity=2, rate=26),
    DemoProject(
        "foodbank", "data", "Forecasting pantry demand for the winter",
        "Predict weekly demand at our 30 pantries so we stock the right food.",
        "Demand jumps in winter and when benefits change, and pantries run out of staples "
        "while others throw food away.",
        "Build a weekly demand forecast per pantry from three years of visit counts, and test "
        "how well it would have done last winter.",
        ("A forecast with an honest error range.", "Something our volunteers can update."),
        ("A forecasting notebook", "A spreadsheet our staff can refresh"),
        ("Forecasting", "Python", "Excel"), 30, capacity=2, rate=24),
    DemoProject(
        "freight", "data", "Late deliveries: finding the root causes",
        "Dig into two years of delivery records and tell us why trucks arrive late.",
        "About 11% of our deliveries miss their window. Dispatchers blame traffic; drivers "
        "blame loading times. We have the data to settle it.",
        "Combine telematics, dock times and order data, and quantify the main causes of late "
        "deliveries.",
        ("Causes ranked by how many late deliveries they explain.",),
        ("An analysis memo", "The cleaned data set and code"),
        ("SQL", "Python", "Regression analysis", "Data cleaning"), 40, capacity=2, rate=27),
    DemoProject(
        "water", "data", "Leak detection from meter readings",
        "Use hourly smart-meter data to spot leaks on the customer side.",
        "We installed smart meters last year. Continuous overnight flow usually means a "
        "leak, but we have not yet used the data to tell customers.",
        "Design and test a simple rule or model that flags likely leaks, and estimate how "
        "many false alarms it would raise.",
        ("A rule we could run every night.", "A clear false-alarm estimate."),
        ("A notebook with the method", "A short briefing for customer service"),
        ("Python", "Statistics", "Data cleaning"), 30, rate=25),
    DemoProject(
        "library", "data", "What our patrons borrow, and when",
        "Turn circulation data into a picture of how each branch is really used.",
        "We know total checkouts but little about patterns: which branches lend children's "
        "books on weekends, which lend laptops, which are quiet on Mondays.",
        "Analyse a year of anonymised circulation data and present branch profiles.",
        ("Five branch profiles a librarian recognises.",),
        ("A set of charts", "A ten-minute talk to branch managers"),
        ("Excel", "Data visualisation", "Presentation skills"), 20, pay="unpaid", capacity=4),
    DemoProject(
        "housing", "data", "Mapping displacement risk by neighbourhood",
        "Combine census and eviction data into a map of where renters are most at risk.",
        "We want to buy homes where long-time renters are about to be priced out, not after.",
        "Build a displacement risk index from public data and map it at the tract level.",
        ("An index whose ingredients are explained.", "A map our board can read."),
        ("An interactive map", "A methods appendix"),
        ("Geospatial analysis", "R", "Policy analysis"), 40, pay="stipend", rate=1200,
        team=2, capacity=2),
    # -- business -----------------------------------------------------------------------------
    DemoProject(
        "bikes", "business", "Pricing our repair services",
        "Our repair prices were set in 2015. Help us set fair, sustainable ones.",
        "Repair is half our revenue, but we price by habit. Some jobs lose money; others "
        "scare customers away.",
        "Time a sample of jobs, compare prices at five other shops, and propose a price list "
        "with the reasoning.",
        ("Prices that cover our costs and stay fair to students.",),
        ("A costed price list", "A short memo for the co-op meeting"),
        ("Pricing strategy", "Excel", "Competitive analysis"), 25, mode="hybrid",
        location="Portland, OR", rate=25),
    DemoProject(
        "bakery", "business", "Wholesale: which cafés should we sell to?",
        "Size the wholesale market in our city and tell us where to focus.",
        "Three cafés buy our bread wholesale. More have asked, but our ovens are limited.",
        "Profile the cafés and grocers within 5 miles, estimate demand and margin for each "
        "type, and recommend the next five accounts.",
        ("Recommendations that respect our oven capacity.",),
        ("A market sizing spreadsheet", "A slide deck with recommendations"),
        ("Market research", "Financial modelling", "Customer interviews"), 30, rate=24),
    DemoProject(
        "freight", "business", "Business case for electric yard trucks",
        "Should we replace our diesel yard trucks with electric ones?",
        "Our four yard trucks are ten years old. Electric models cost more up front, but "
        "fuel and maintenance savings and grants may change the picture.",
        "Build a ten-year total cost of ownership model and a business case.",
        ("A model with its assumptions in plain sight.", "A clear recommendation."),
        ("A cost model", "A business case document"),
        ("Financial modelling", "Business case writing", "Excel"), 35, team=2, capacity=1,
        rate=30),
    DemoProject(
        "clinic", "business", "Front-desk check-in process map",
        "Map how a family checks in today and where the waits come from.",
        "Families wait a median of 14 minutes before being roomed. Staff feel busy all the "
        "time, but nobody has looked at the whole process.",
        "Observe check-in for two mornings, map the process, and find the three biggest "
        "sources of delay.",
        ("A map the staff agree is accurate.",),
        ("A process map", "A list of improvements with estimated effect"),
        ("Process mapping", "Interviewing", "Operations"), 20, mode="on_site",
        location="Dayton, OH", pay="unpaid", capacity=2),
    DemoProject(
        "solar", "business", "Referral program design",
        "Design a referral program that turns happy customers into new ones.",
        "A third of our customers came through a neighbour, but we have never asked for "
        "referrals on purpose.",
        "Interview ten past customers, study three competitors' programs, and design ours "
        "with a budget.",
        ("A program we can launch next quarter.",),
        ("A program design document", "An interview summary"),
        ("Customer interviews", "Market research", "Budgeting"), 25, rate=25),
    DemoProject(
        "theatre", "business", "Subscription renewal campaign plan",
        "Our subscriber renewals fell to 61%. Plan how we win them back.",
        "Subscribers are our most loyal audience, and every lost one costs us about $400 a "
        "year.",
        "Analyse renewal data by segment, survey lapsed subscribers, and plan a renewal "
        "campaign with targets.",
        ("Segments that lead to different messages.",),
        ("A campaign plan", "A survey of lapsed subscribers"),
        ("Survey design", "Market research", "Email marketing"), 30, team=2, capacity=2,
        rate=22),
    DemoProject(
        "foodbank", "business", "Warehouse volunteer scheduling",
        "Match volunteer shifts to the days our warehouse actually needs them.",
        "Tuesdays have forty volunteers and little to do; Fridays have eight and three "
        "trucks to unload.",
        "Compare a year of sign-ups with inbound deliveries and design a shift plan and a "
        "recruitment message for the thin days.",
        ("A plan our volunteer coordinator can run.",),
        ("A shift plan", "A recruitment email"),
        ("Operations", "Excel", "Copywriting"), 15, pay="unpaid", capacity=3),
    # -- design -------------------------------------------------------------------------------
    DemoProject(
        "library", "design", "Redesign of the library card sign-up",
        "Make getting a library card online take two minutes, not twenty.",
        "Our online sign-up form has 23 fields and half the people who start it give up.",
        "Run usability tests with five residents, redesign the flow in Figma, and test it "
        "again.",
        ("A flow tested with real residents.", "Accessible to screen-reader users."),
        ("A Figma prototype", "A usability test report"),
        ("UX research", "Usability testing", "Figma", "Accessibility"), 35, team=2,
        capacity=2, rate=25),
    DemoProject(
        "bakery", "design", "Packaging for our wholesale bread",
        "Design bags and labels that look good on a café counter.",
        "Our wholesale loaves go out in plain paper. Cafés want something that tells their "
        "customers who baked it.",
        "Design a bag and label system for five breads that works with our label printer.",
        ("A design we can print ourselves.",),
        ("Print-ready files", "A one-page style sheet"),
        ("Visual design", "Branding", "Illustration"), 20, pay="stipend", rate=600),
    DemoProject(
        "transit", "design", "Accessible bus stop signs",
        "Design a bus stop sign that works for riders with low vision.",
        "Our signs use small type and a colour scheme that fails contrast checks. We are "
        "replacing 900 signs next year.",
        "Study accessibility guidance, interview riders with low vision, and design a sign "
        "template with a prototype.",
        ("A design checked against WCAG contrast.", "Rider feedback on the prototype."),
        ("A sign template", "A rider feedback summary"),
        ("Accessibility", "Visual design", "Interviewing"), 30, mode="hybrid",
        location="Columbus, OH", rate=26),
    DemoProject(
        "clinic", "design", "Waiting room service blueprint",
        "Map what a family experiences from parking lot to exam room.",
        "Parents tell us the visit itself is fine but everything around it is stressful.",
        "Shadow five visits, interview parents and staff, and produce a service blueprint "
        "with the moments that matter.",
        ("A blueprint staff and parents both recognise.",),
        ("A service blueprint", "Three design opportunities"),
        ("Service design", "UX research", "Interviewing"), 30, mode="on_site",
        location="Dayton, OH", pay="unpaid", capacity=2),
    DemoProject(
        "solar", "design", "Quote page that homeowners understand",
        "Redesign the online solar quote so homeowners see what they get and save.",
        "Our quotes are a PDF of numbers. Homeowners call us to ask what they mean.",
        "Design a web page that explains a quote: system size, cost, savings, payback.",
        ("A page tested with three homeowners.",),
        ("A clickable prototype", "Notes from testing"),
        ("Wireframing", "Prototyping", "Information architecture"), 25, rate=26),
    DemoProject(
        "bikes", "design", "Brand refresh for our repair school",
        "Give the repair school its own identity within the co-op's brand.",
        "The repair school runs 30 classes a year but nobody outside the shop knows it "
        "exists.",
        "Develop a logo variant, a class poster template and social media templates.",
        ("Consistent with the co-op's brand.",),
        ("A logo variant", "Poster and social templates"),
        ("Branding", "Visual design", "Figma"), 20, pay="stipend", rate=550),
    DemoProject(
        "housing", "design", "Homebuyer guide for first-time buyers",
        "Design a friendly guide to buying a land-trust home.",
        "Buying a land-trust home has extra steps, and our 40-page legal packet scares "
        "people off.",
        "Rewrite and design a 12-page guide with a clear journey from interest to keys.",
        ("Plain language at a 6th-grade reading level.",),
        ("A designed PDF guide", "A journey map"),
        ("Information architecture", "Visual design", "Editing"), 30, team=2, capacity=1,
        rate=24),
    # -- communications -----------------------------------------------------------------------
    DemoProject(
        "theatre", "communications", "Press kit for the new season",
        "Write and assemble the press kit for our six-show season.",
        "Local critics still cover us, but our press materials are a decade old.",
        "Interview the artistic director, write releases for each show, and build an "
        "online press kit.",
        ("Releases a journalist could run with.",),
        ("Six press releases", "An online press kit"),
        ("Public relations", "Copywriting", "Interviewing"), 25, rate=22),
    DemoProject(
        "library", "communications", "Makerspace video series",
        "Make five short videos that show what people build in our makerspace.",
        "The makerspace opened last year and is busy on weekends but empty on weekdays.",
        "Film and edit five 60-second videos featuring real makers, with captions.",
        ("Captions and transcripts for every video.",),
        ("Five edited videos", "A posting plan"),
        ("Video production", "Social media", "Accessibility"), 30, mode="on_site",
        location="Fernwood, MN", pay="stipend", rate=800, team=2, capacity=1),
    DemoProject(
        "foodbank", "communications", "Donor newsletter relaunch",
        "Relaunch our monthly donor newsletter so people actually open it.",
        "Our newsletter goes to 6,000 donors and is opened by 14% of them.",
        "Audit the last year of issues, interview five donors, and design and write the "
        "first relaunched issue.",
        ("A measurable goal for opens and clicks.",),
        ("A content audit", "The first relaunched issue"),
        ("Email marketing", "Copywriting", "Content strategy"), 20, rate=23),
    DemoProject(
        "water", "communications", "Explaining the rate increase",
        "Help customers understand why water rates are going up next year.",
        "We must replace 80-year-old mains, and rates will rise 9%. Customers deserve a "
        "clear explanation.",
        "Write a plain-language explainer, an FAQ and a bill insert, and test them with "
        "customers.",
        ("Plain language that survives a reading test.",),
        ("An explainer page", "An FAQ", "A bill insert"),
        ("Copywriting", "Editing", "Public relations"), 20, rate=24),
    DemoProject(
        "credit", "communications", "Financial literacy workshop content",
        "Create a 60-minute workshop on building credit for young adults.",
        "We run free workshops at high schools and colleges; the slides are out of date.",
        "Write a workshop outline, slides and a handout, and pilot it once.",
        ("Content that does not sell our products.",),
        ("Slides", "A handout", "Facilitator notes"),
        ("Presentation skills", "Copywriting"), 20, pay="unpaid", capacity=3),
    DemoProject(
        "transit", "communications", "Rider survey on evening service",
        "Find out what would make riders use the bus after 7 pm.",
        "Evening ridership is low, and we do not know whether it is frequency, safety or "
        "something else.",
        "Design and run a short survey at stops and online, and report what riders said.",
        ("A sample that includes riders who do not use the app.",),
        ("A survey instrument", "A findings report"),
        ("Survey design", "Report writing", "Community engagement"), 30, team=3,
        capacity=1, rate=24),
    # -- engineering --------------------------------------------------------------------------
    DemoProject(
        "solar", "engineering", "Battery sizing tool for homeowners",
        "Build a small web tool that sizes a home battery from a utility bill.",
        "Homeowners ask whether they need a battery. Our engineers answer by hand.",
        "Build a web tool that takes monthly usage and outage needs and suggests a size.",
        ("Correct results on ten cases our engineers provide.", "Tested code."),
        ("A working web tool", "Tests and a short README"),
        ("JavaScript", "Energy modelling", "Testing"), 45, team=2, capacity=2, rate=30),
    DemoProject(
        "water", "engineering", "Pump station energy audit",
        "Find where our pump stations waste electricity.",
        "Pumping is 60% of our electricity bill. Some pumps run far from their best "
        "efficiency point.",
        "Analyse a year of pump data for three stations, compare to pump curves, and "
        "recommend changes with savings estimates.",
        ("Savings estimates with their assumptions.",),
        ("An audit report", "A savings spreadsheet"),
        ("Energy modelling", "Excel", "Sustainability assessment"), 40, mode="hybrid",
        location="Greenway, CO", rate=28),
    DemoProject(
        "freight", "engineering", "Dock door sensor prototype",
        "Prototype a cheap sensor that tells dispatch when a dock door is in use.",
        "Dispatchers phone the warehouse to ask which doors are free.",
        "Build a prototype with a microcontroller and a distance sensor that reports door "
        "status to a simple web page.",
        ("A prototype that runs for a week without a reset.",),
        ("A working prototype", "Build notes and code"),
        ("Embedded systems", "Electronics", "APIs"), 40, mode="on_site",
        location="Reno, NV", team=2, capacity=1, rate=27),
    DemoProject(
        "library", "engineering", "Room booking API integration",
        "Connect our room booking system to the library website.",
        "Meeting rooms are booked in one system and advertised in another, by hand.",
        "Write a small service that reads bookings through the vendor's API and shows "
        "availability on the website.",
        ("Handles the API being down without breaking the page.",),
        ("A deployed service", "Tests and documentation"),
        ("APIs", "Python", "Web development", "Git"), 35, rate=26),
    DemoProject(
        "bikes", "engineering", "Cargo bike rack CAD model",
        "Model a cargo rack we can weld in the shop for our delivery bikes.",
        "We build racks by eye and each one is different.",
        "Create a CAD model and drawings of a rack for our two cargo bike frames, with a "
        "simple load check.",
        ("Drawings our welder can follow.",),
        ("A CAD model", "Fabrication drawings"),
        ("CAD",), 25, mode="hybrid", location="Portland, OR", pay="unpaid", capacity=2),
    DemoProject(
        "clinic", "engineering", "Vaccine fridge temperature alerts",
        "Set up alerts when a vaccine fridge drifts out of range.",
        "A fridge failure last year cost $18,000 in vaccines. Our loggers only record; "
        "they do not alert anyone.",
        "Build an alerting service on the loggers' cloud API with text alerts and a weekly "
        "report.",
        ("No missed alert in a one-week test.",),
        ("An alerting service", "A runbook for staff"),
        ("APIs", "Cloud computing", "Python"), 30, rate=28),
    # -- social science -----------------------------------------------------------------------
    DemoProject(
        "housing", "social_science", "Resident interviews on staying power",
        "Learn what helps land-trust homeowners stay in their homes for the long run.",
        "Most of our homeowners stay for decades, but a few sell early, and we do not know "
        "why.",
        "Interview twelve homeowners, code the interviews, and report themes with quotes.",
        ("Ethical, consented interviews.", "Themes grounded in what people said."),
        ("An interview guide", "A findings report"),
        ("Interviewing", "Qualitative research", "Coding qualitative data"), 40,
        mode="hybrid", location="Tacoma, WA", pay="unpaid", capacity=2),
    DemoProject(
        "foodbank", "social_science", "Why families stop visiting pantries",
        "Understand why some families visit once and never return.",
        "A third of new families visit only once. We do not know whether they no longer "
        "need help or found us hard to use.",
        "Review the literature, run two focus groups, and recommend changes.",
        ("Recommendations that respect families' dignity.",),
        ("A literature review", "A focus group report"),
        ("Focus groups", "Literature review", "Qualitative research"), 35, team=2,
        capacity=2, rate=24),
    DemoProject(
        "transit", "social_science", "Evaluating the free youth fare pilot",
        "Did free fares for under-18s change how young people get around?",
        "We ran free youth fares for a year. Ridership rose, but the board wants to know "
        "whether it reached the young people who needed it.",
        "Design and run an evaluation using ridership data and a short survey of students.",
        ("An evaluation design that admits what it cannot prove.",),
        ("An evaluation report", "A board summary"),
        ("Program evaluation", "Survey design", "Statistics"), 40, team=2, capacity=1,
        rate=26),
    DemoProject(
        "water", "social_science", "Policy brief on water affordability",
        "Compare how other utilities help low-income customers pay their bills.",
        "Our rate increase will hurt low-income households. The board wants options.",
        "Review ten utilities' assistance programs and write a brief with three options.",
        ("Options with costs and trade-offs.",),
        ("A policy brief", "A comparison table"),
        ("Policy analysis", "Literature review", "Report writing"), 25, rate=24),
    DemoProject(
        "library", "social_science", "Who does not use the library?",
        "Learn why some neighbourhoods rarely visit any branch.",
        "Card holders cluster near two branches. Whole neighbourhoods barely use us.",
        "Map card holders against census data and interview residents in two "
        "low-use neighbourhoods.",
        ("Findings that avoid blaming residents.",),
        ("A map", "An interview report"),
        ("Community engagement", "Interviewing", "Geospatial analysis"), 30,
        pay="unpaid", capacity=2),
    DemoProject(
        "credit", "social_science", "Survey of members' financial stress",
        "Measure how financial stress changed among our members this year.",
        "We suspect rising rents are squeezing members, and we want to shape our hardship "
        "programs on evidence.",
        "Adapt a validated financial stress scale, survey members, and analyse results.",
        ("A validated instrument, properly adapted.",),
        ("A survey instrument", "A results report"),
        ("Survey design", "Statistics", "Report writing"), 35, rate=26),
]
