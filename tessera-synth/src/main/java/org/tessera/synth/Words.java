package org.tessera.synth;

import java.util.List;

/** The vocabulary the pages are written in: fixed lists, so that a seed means the same page everywhere. */
final class Words {
    private Words() {}

    static List<String> split(String s) {
        return List.of(s.trim().split("\\s*\\|\\s*"));
    }

    static final List<String> PRODUCTS = split("""
            Apples | Bananas | Oranges | Lemons | Grapes | Pears | Peaches | Plums | Cherries | Strawberries |
            Blueberries | Raspberries | Mango | Pineapple | Kiwi | Avocado | Tomatoes | Potatoes | Onions | Garlic |
            Carrots | Celery | Spinach | Lettuce | Cucumber | Broccoli | Cauliflower | Cabbage | Peppers | Mushrooms |
            Sweet Corn | Green Beans | Peas | Zucchini | Eggplant | Pumpkin | Radishes | Ginger | Basil | Parsley |
            Whole Milk | Skim Milk | Oat Milk | Butter | Cheddar | Mozzarella | Parmesan | Yogurt | Cream | Eggs |
            White Bread | Rye Bread | Bagels | Croissant | Muffin | Baguette | Tortillas | Crackers | Cereal | Oats |
            Rice | Pasta | Noodles | Flour | Sugar | Brown Sugar | Salt | Black Pepper | Olive Oil | Vinegar |
            Honey | Jam | Peanut Butter | Ketchup | Mustard | Mayonnaise | Soy Sauce | Salsa | Pesto | Hummus |
            Chicken Breast | Ground Beef | Pork Chops | Bacon | Sausages | Ham | Turkey | Salmon | Tuna | Shrimp |
            Coffee Beans | Green Tea | Black Tea | Orange Juice | Apple Juice | Lemonade | Sparkling Water | Cola |
            Chocolate | Cookies | Potato Chips | Pretzels | Popcorn | Ice Cream | Granola Bars | Almonds | Walnuts |
            Cashews | Raisins | Dish Soap | Paper Towels | Toilet Paper | Sponges | Trash Bags | Laundry Soap |
            Toothpaste | Shampoo | Hand Soap | Batteries | Light Bulbs | Candles | Matches | Notebook | Pens |
            Pencils | Envelopes | Tape | Glue | Scissors | Stapler | Printer Paper | Folder | Markers | Cappuccino |
            Espresso | Latte | Americano | Hot Chocolate | Bagel Sandwich | Club Sandwich | Caesar Salad |
            Tomato Soup | Cheeseburger | Veggie Wrap | Fish Tacos | Pancakes | Waffles | Omelette | French Fries |
            Onion Rings | Brownie | Cheesecake | Apple Pie | Cinnamon Roll | Donut | Screws | Nails | Hammer |
            Paint Brush | Wood Glue | Sandpaper | Garden Hose | Potting Soil | Seeds | Dog Food | Cat Food |
            Bird Seed | Flowers""");

    static final List<String> WORDS = split("""
            time | year | people | way | day | thing | world | life | hand | part | place | case | week | company |
            system | program | question | work | government | number | night | point | home | water | room | area |
            money | story | fact | month | lot | right | study | book | eye | job | word | business | issue | side |
            kind | head | house | service | friend | power | hour | game | line | end | member | law | car | city |
            community | name | president | team | minute | idea | body | information | back | parent | face |
            level | office | door | health | person | art | war | history | party | result | change | morning |
            reason | research | girl | guy | moment | air | teacher | force | education | foot | boy | age |
            policy | process | music | market | sense | nation | plan | college | interest | death | experience |
            effect | use | class | control | care | field | development | role | effort | rate | heart | drug |
            show | leader | light | voice | wife | police | mind | price | report | decision | son | view |
            relationship | town | road | arm | difference | value | building | action | model | season | society |
            tax | director | position | player | record | paper | space | ground | form | event | official |
            matter | center | couple | site | project | activity | star | table | need | court | oil | situation |
            cost | industry | figure | street | image | phone | data | picture | practice | piece | land | product |
            doctor | wall | patient | worker | news | test | movie | north | love | support | technology | step |
            baby | computer | type | attention | film | tree | source | organization | hair | window | evidence |
            population | site | training | heat | summer | choice | structure | network | method | material |
            account | river | energy | design | quality | standard | period | reading | region | supply | board |
            agreement | budget | contract | customer | delivery | equipment | factor | feature | goal | guide |
            income | item | meeting | option | payment | resource | review | schedule | section | series | staff |
            stage | station | target | task | term | unit | version | weather | window | volume | sample |
            new | good | high | old | great | big | small | large | national | young | different | long | little |
            important | political | bad | white | real | best | right | social | only | public | sure | low |
            early | able | human | local | late | hard | major | better | economic | strong | possible | whole |
            free | military | true | federal | international | full | special | easy | clear | recent | certain |
            personal | open | red | difficult | available | likely | short | single | medical | current | wrong |
            private | past | foreign | fine | common | poor | natural | significant | similar | hot | dead |
            central | happy | serious | ready | simple | left | physical | general | environmental | financial |
            blue | democratic | dark | various | entire | close | legal | religious | cold | final | main | green |
            nice | huge | popular | traditional | cultural | annual | monthly | weekly | daily | regional |
            make | take | give | find | tell | call | keep | provide | hold | bring | begin | show | hear | play |
            run | move | live | believe | happen | include | continue | set | learn | lead | understand | watch |
            follow | stop | create | speak | read | allow | add | spend | grow | open | walk | offer | remember |
            consider | appear | buy | wait | serve | send | expect | build | stay | reach | remain | suggest |
            raise | pass | sell | require | report | decide | pull | return | explain | hope | develop | carry |
            review | receive | agree | support | produce | operate | improve | measure | record | prepare |
            also | often | always | never | still | already | however | together | usually | later | soon |
            within | during | before | after | under | between | across | through | toward | without | about""");

    static final List<String> FIRST_NAMES = split("""
            Anna | Ben | Clara | David | Emma | Felix | Grace | Henry | Iris | Jack | Kate | Liam | Maya | Noah |
            Olivia | Paul | Quinn | Rosa | Sam | Tara | Umar | Vera | Will | Xena | Yusuf | Zoe | Alice | Bruno |
            Carmen | Daniel | Elena | Frank | Gina | Hugo | Ines | Jonas | Karin | Leo | Mila | Nina | Oscar |
            Petra | Rita | Simon | Tom | Ulla | Victor | Wendy | Adam | Beth | Chris | Diana | Eric | Fiona |
            George | Helen | Ivan | Julia | Kevin | Laura | Marco | Nadia | Omar | Priya""");

    static final List<String> LAST_NAMES = split("""
            Smith | Johnson | Brown | Garcia | Miller | Davis | Wilson | Moore | Taylor | Anderson | Thomas |
            Jackson | White | Harris | Martin | Thompson | Clark | Lewis | Walker | Hall | Young | King | Wright |
            Lopez | Hill | Scott | Green | Adams | Baker | Nelson | Carter | Mitchell | Roberts | Turner | Phillips |
            Campbell | Parker | Evans | Edwards | Collins | Stewart | Morris | Murphy | Cook | Rogers | Morgan |
            Cooper | Peterson | Reed | Bailey | Bell | Kelly | Howard | Ward | Cox | Richardson | Wood | Watson |
            Brooks | Bennett | Gray | Hughes | Price | Sanders | Patel | Meyer | Schmidt | Novak | Rossi | Dubois""");

    static final List<String> CITIES = split("""
            Springfield | Riverton | Lakeside | Fairview | Greenville | Madison | Franklin | Clinton | Georgetown |
            Salem | Bristol | Oxford | Dover | Milton | Ashland | Burlington | Clayton | Dayton | Hudson | Kingston |
            Lexington | Marion | Newport | Oakland | Plymouth | Richmond | Shelby | Troy | Union | Vernon |
            Warren | Winchester | Arlington | Chester | Jackson | Lancaster | Manchester | Norwood | Preston |
            Quincy | Rochester | Stanton | Trenton | Weston | York | Aurora | Bedford | Camden | Denton | Easton |
            Hamilton | Harlow | Leeds | Lyon | Porto | Graz | Turin | Malmo | Bergen | Delft""");

    static final List<String> STREETS = split("""
            Oak | Maple | Pine | Cedar | Elm | Birch | Willow | Walnut | Chestnut | Main | High | Church | Mill |
            Park | Lake | Hill | River | Station | Market | Bridge | North | South | West | East | King | Queen |
            Victoria | Spring | Garden | Meadow | Forest | Harbor | Sunset | Valley | Orchard | Union | Elm Grove""");

    static final List<String> STREET_TYPES = split("St | Street | Ave | Avenue | Rd | Road | Lane | Way | Blvd | Drive | Place");

    static final List<String> STORE_FIRST = split("""
            Maple | Sunny | Green | Golden | Corner | Village | Harbor | Fresh | Happy | Blue | Red | Silver | Urban |
            Daily | Little | Old Town | Hilltop | Riverside | Central | Northside | Lucky | Bright | Family | Prime |
            Evergreen | Sunrise | Oak | Cedar | Market | Garden""");

    static final List<String> STORE_SECOND = split("""
            Market | Grocer | Foods | Mart | Pantry | Cafe | Bakery | Deli | Store | Kitchen | Hardware | Pharmacy |
            Supply | Corner Shop | Provisions | Bistro | Diner | Coffee | Outlet | Goods""");

    static final List<String> COMPANY_FIRST = split("""
            Northwind | Bluebird | Ironwood | Clearwater | Summit | Keystone | Pioneer | Redwood | Atlas | Beacon |
            Cobalt | Crescent | Falcon | Granite | Horizon | Lighthouse | Meridian | Nova | Orion | Pinnacle |
            Quantum | Silverline | Sterling | Tidewater | Vertex | Westbrook | Harbor | Everest | Juniper | Oakridge""");

    static final List<String> COMPANY_SECOND = split("""
            Systems | Logistics | Consulting | Industries | Labs | Partners | Solutions | Engineering | Services |
            Trading | Design | Analytics | Energy | Health | Media | Supplies | Holdings | Works | Digital | Foods""");

    static final List<String> COMPANY_SUFFIX = split("Ltd | Inc. | LLC | GmbH | & Co. | Group | Corp.");

    static final List<String> TITLE_A = split("""
            Annual | Quarterly | Monthly | Internal | Final | Technical | Project | Safety | Customer | Regional |
            Board | Team | Annual Staff | Financial | Facilities | Supplier | Quality | Field | Product | Research""");

    static final List<String> TITLE_B = split("""
            Budget | Maintenance | Sales | Audit | Inspection | Progress | Operations | Training | Service |
            Performance | Planning | Compliance | Procurement | Inventory | Travel | Energy | Hiring | Security""");

    static final List<String> TITLE_C = split("Report | Review | Summary | Plan | Notice | Agreement | Memo | Proposal | Statement | Record");

    static final List<String> HEADINGS = split("""
            Introduction | Background | Scope of Work | Objectives | Summary | Methods | Results | Discussion |
            Conclusions | Recommendations | Payment Terms | Delivery | Warranty | Responsibilities | Timeline |
            Budget Overview | Risk Assessment | Next Steps | Contact Details | Appendix | Key Findings |
            Approach | Requirements | Deliverables | Acceptance | Schedule | Staffing | Costs | Assumptions |
            Terms and Conditions | Confidentiality | Termination | Governing Law | Definitions | Overview |
            Current Status | Open Issues | Lessons Learned | Quality Control | Safety Measures | Training Plan |
            Equipment | Site Access | Reporting | Review Process | Change Requests | Invoicing | Support |
            Maintenance Plan | Performance | Security | Data Handling | Travel Policy | Expenses | Approvals""");

    static final List<String> REGIONS = split("North | South | East | West | Central | Northeast | Northwest | Southeast | Southwest | Coastal | Inland | Metro");

    static final List<String> DEPARTMENTS = split("""
            Sales | Marketing | Finance | Legal | Support | Research | Design | Operations | Logistics | Purchasing |
            Security | Training | Facilities | Engineering | Quality | Production | Admin | Planning""");

    static final List<String> COUNTRIES = split("""
            France | Germany | Spain | Italy | Poland | Sweden | Norway | Finland | Denmark | Austria | Belgium |
            Ireland | Portugal | Greece | Japan | Korea | India | Brazil | Mexico | Canada | Chile | Peru | Kenya |
            Egypt | Turkey | Vietnam | Thailand | Australia""");

    static final List<String> MONTHS = split("Jan | Feb | Mar | Apr | May | Jun | Jul | Aug | Sep | Oct | Nov | Dec");

    static final List<String> MONTHS_LONG = split("""
            January | February | March | April | May | June | July | August | September | October | November | December""");

    static final List<String> METRICS = split("""
            Revenue | Sales | Orders | Visitors | Units | Returns | Costs | Profit | Downloads | Signups | Tickets |
            Shipments | Calls | Visits | Members | Bookings | Deliveries | Complaints | Output | Energy Use""");

    static final List<String> ORDINALS = split("""
            first | second | third | fourth | fifth | sixth | seventh | eighth | ninth | tenth | eleventh | twelfth""");

    /** "first", "second", … and "13th" beyond twelve. */
    static String ordinal(int oneBased) {
        if (oneBased <= ORDINALS.size()) return ORDINALS.get(oneBased - 1);
        int mod100 = oneBased % 100;
        String suffix = mod100 >= 11 && mod100 <= 13 ? "th" : switch (oneBased % 10) {
            case 1 -> "st";
            case 2 -> "nd";
            case 3 -> "rd";
            default -> "th";
        };
        return oneBased + suffix;
    }

    static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
