"""Demo data: name lists per region, countries, zones, departments, and a deterministic plan.

Everything here is pure (no ORM): `build_plan()` turns (people, teams, seed) into rows that
teams.importing writes in bulk. The same seed always yields the same plan.
"""

from __future__ import annotations

import math
import random
import unicodedata
from dataclasses import dataclass, field

import pytz
from django.utils.text import slugify

from .hours import DAY_KEYS


def _names(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


# Region -> (first names, last names). Romanised, as a company directory would show them.
REGION_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "anglo": (
        _names(
            "James, Olivia, Liam, Emma, Noah, Charlotte, Oliver, Amelia, Jack, Sophie, Harry, "
            "Grace, Ethan, Chloe, Lucas, Isla, Mason, Ella, Logan, Hannah, Ryan, Megan, "
            "Connor, Zoe, Aiden, Abigail, Caleb, Madison, Dylan, Lily, Owen, Ruby, Tyler, Erin"
        ),
        _names(
            "Smith, Johnson, Williams, Brown, Taylor, Wilson, Davies, Evans, Thompson, Walker, "
            "Robinson, Wright, Hughes, Green, Hall, Clarke, Campbell, Murphy, Kelly, Bennett, "
            "Cooper, Morgan, Reid, Fraser, Sullivan, Parker, Turner, Mitchell, Carter, Foster"
        ),
    ),
    "hispanic": (
        _names(
            "Sofía, Mateo, Valentina, Santiago, Camila, Sebastián, Lucía, Diego, Isabella, "
            "Alejandro, María, Javier, Daniela, Andrés, Paula, Gabriel, Carmen, Nicolás, "
            "Martina, Pablo, Elena, Tomás, Ximena, Rodrigo, Renata, Emilio, Florencia, Joaquín, "
            "Catalina, Felipe, Ana, Luis"
        ),
        _names(
            "García, Rodríguez, Martínez, López, González, Hernández, Pérez, Sánchez, Ramírez, "
            "Torres, Flores, Rivera, Gómez, Díaz, Morales, Castillo, Ortiz, Romero, Vargas, "
            "Herrera, Medina, Aguilar, Rojas, Navarro, Molina, Delgado, Castro, Ruiz, Suárez, "
            "Vega, Fuentes, Cabrera"
        ),
    ),
    "lusophone": (
        _names(
            "João, Ana, Pedro, Beatriz, Lucas, Mariana, Gabriel, Larissa, Rafael, Juliana, "
            "Thiago, Camila, Gustavo, Fernanda, Bruno, Letícia, Felipe, Carolina, Rodrigo, "
            "Inês, Tiago, Leonor, Miguel, Bianca, André, Renata, Vinícius, Luana, Diogo, Rita"
        ),
        _names(
            "Silva, Santos, Oliveira, Souza, Pereira, Costa, Ferreira, Rodrigues, Almeida, "
            "Carvalho, Gomes, Martins, Araújo, Ribeiro, Barbosa, Lima, Rocha, Moreira, Cardoso, "
            "Nascimento, Teixeira, Mendes, Pinto, Correia, Monteiro, Lopes, Vieira, Fonseca"
        ),
    ),
    "french": (
        _names(
            "Camille, Louis, Chloé, Hugo, Léa, Arthur, Manon, Jules, Inès, Gabriel, Juliette, "
            "Raphaël, Élodie, Mathis, Clémence, Théo, Margaux, Antoine, Océane, Nicolas, Amélie, "
            "Baptiste, Pauline, Maxime, Lucie, Julien, Céline, Romain, Aurélie, Thibault"
        ),
        _names(
            "Martin, Bernard, Dubois, Thomas, Robert, Richard, Petit, Durand, Leroy, Moreau, "
            "Simon, Laurent, Lefèvre, Michel, Fontaine, Garnier, Rousseau, Chevalier, Mercier, "
            "Bonnet, Girard, Lambert, Faure, Peeters, Janssens, Dupont, Lemaire, Morel, Fournier"
        ),
    ),
    "german": (
        _names(
            "Lukas, Anna, Leon, Lena, Felix, Hannah, Jonas, Mia, Paul, Lea, Maximilian, Laura, "
            "Elias, Katharina, Tobias, Julia, Moritz, Sophie, Florian, Johanna, Sebastian, "
            "Franziska, Jan, Carolin, Matthias, Sarah, Niklas, Annika, Stefan, Jana"
        ),
        _names(
            "Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, "
            "Hoffmann, Koch, Bauer, Richter, Klein, Wolf, Schröder, Neumann, Schwarz, Zimmermann, "
            "Braun, Krüger, Hofmann, Hartmann, Lange, Werner, Huber, Keller, Brunner, Gruber"
        ),
    ),
    "dutch": (
        _names(
            "Daan, Emma, Sem, Julia, Lucas, Tess, Milan, Sophie, Thijs, Fenna, Bram, Sanne, "
            "Jesse, Lotte, Ruben, Anouk, Stijn, Eva, Lars, Noor, Joost, Femke, Koen, Maud"
        ),
        _names(
            "de Jong, Jansen, de Vries, van den Berg, van Dijk, Bakker, Visser, Smit, Meijer, "
            "de Boer, Mulder, de Groot, Bos, Vos, Peters, Hendriks, van Leeuwen, Dekker, "
            "Brouwer, de Wit, Dijkstra, Smits, de Graaf, van der Meer"
        ),
    ),
    "nordic": (
        _names(
            "Erik, Astrid, Lars, Ingrid, Mikael, Sigrid, Anders, Freja, Oskar, Elsa, Magnus, "
            "Maja, Nils, Linnea, Henrik, Saga, Johan, Ida, Mathias, Aino, Eero, Helmi, Rasmus, "
            "Signe, Sven, Tuva, Emil, Kaisa"
        ),
        _names(
            "Andersson, Johansson, Karlsson, Nilsson, Eriksson, Larsen, Hansen, Nielsen, "
            "Jensen, Pedersen, Olsen, Berg, Lindqvist, Holm, Virtanen, Korhonen, Mäkinen, "
            "Nieminen, Lindberg, Sandberg, Dahl, Haugen, Bakke, Christensen, Lund, Strand"
        ),
    ),
    "italian": (
        _names(
            "Giulia, Marco, Francesca, Alessandro, Chiara, Lorenzo, Sara, Matteo, Martina, "
            "Andrea, Elena, Luca, Alessia, Davide, Federica, Simone, Valentina, Giovanni, "
            "Silvia, Riccardo, Beatrice, Tommaso, Elisa, Stefano"
        ),
        _names(
            "Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, "
            "Bruno, Gallo, Conti, De Luca, Mancini, Costa, Giordano, Rizzo, Lombardi, Moretti, "
            "Barbieri, Fontana, Santoro, Caruso"
        ),
    ),
    "polish": (
        _names(
            "Jakub, Zuzanna, Kacper, Julia, Mateusz, Maja, Piotr, Aleksandra, Tomasz, Natalia, "
            "Łukasz, Katarzyna, Michał, Agnieszka, Paweł, Magdalena, Krzysztof, Joanna, Marcin, "
            "Weronika, Bartosz, Karolina"
        ),
        _names(
            "Nowak, Kowalski, Wiśniewski, Wójcik, Kowalczyk, Kamiński, Lewandowski, Zieliński, "
            "Szymański, Woźniak, Dąbrowski, Kozłowski, Jankowski, Mazur, Kwiatkowski, "
            "Krawczyk, Piotrowski, Grabowski, Nowakowski, Pawlak"
        ),
    ),
    "czech": (
        _names(
            "Jan, Tereza, Tomáš, Eliška, Jakub, Anna, Petr, Kateřina, Martin, Lucie, Ondřej, "
            "Veronika, Lukáš, Barbora, Marek, Klára, Filip, Zuzana, Michal, Adéla"
        ),
        _names(
            "Novák, Svoboda, Novotný, Dvořák, Černý, Procházka, Kučera, Veselý, Horák, Němec, "
            "Pokorný, Marek, Pospíšil, Hájek, Král, Jelínek, Růžička, Beneš, Fiala, Sedláček"
        ),
    ),
    "romanian": (
        _names(
            "Andrei, Ioana, Alexandru, Maria, Mihai, Elena, Ștefan, Andreea, Gabriel, Cristina, "
            "Bogdan, Alexandra, Radu, Bianca, Vlad, Diana, Florin, Raluca, Adrian, Simona"
        ),
        _names(
            "Popescu, Ionescu, Popa, Constantin, Stan, Dumitru, Stoica, Gheorghe, Matei, Rusu, "
            "Munteanu, Ciobanu, Florea, Dinu, Moldovan, Lazăr, Marin, Tudor, Barbu, Nistor"
        ),
    ),
    "ukrainian": (
        _names(
            "Oleksandr, Olena, Andriy, Iryna, Dmytro, Kateryna, Serhiy, Natalia, Mykola, Oksana, "
            "Yurii, Tetiana, Taras, Yulia, Bohdan, Anastasia, Vasyl, Sofiia, Maksym, Halyna"
        ),
        _names(
            "Shevchenko, Kovalenko, Bondarenko, Tkachenko, Kravchenko, Melnyk, Boyko, "
            "Kovalchuk, Oliynyk, Lysenko, Marchenko, Moroz, Savchenko, Rudenko, Petrenko, "
            "Koval, Pavlenko, Hnatyuk, Tkachuk, Zinchenko"
        ),
    ),
    "greek": (
        _names(
            "Giorgos, Maria, Dimitris, Eleni, Nikos, Katerina, Kostas, Sofia, Yannis, Anna, "
            "Christos, Despina, Panagiotis, Georgia, Andreas, Ioanna, Stavros, Vasiliki"
        ),
        _names(
            "Papadopoulos, Georgiou, Nikolaou, Pappas, Oikonomou, Vlachos, Christodoulou, "
            "Ioannou, Konstantinou, Dimitriou, Makris, Angelopoulos, Karagiannis, Antoniou, "
            "Theodorou, Michailidis, Stavrou, Kyriakou"
        ),
    ),
    "turkish": (
        _names(
            "Mehmet, Ayşe, Mustafa, Fatma, Ahmet, Zeynep, Emre, Elif, Burak, Merve, Can, Selin, "
            "Murat, Esra, Kerem, Deniz, Onur, Ebru, Serkan, Gizem"
        ),
        _names(
            "Yılmaz, Kaya, Demir, Şahin, Çelik, Yıldız, Yıldırım, Öztürk, Aydın, Özdemir, "
            "Arslan, Doğan, Kılıç, Aslan, Çetin, Kara, Koç, Kurt, Özkan, Polat"
        ),
    ),
    "arabic": (
        _names(
            "Ahmed, Mohammed, Omar, Khalid, Youssef, Ali, Hassan, Ibrahim, Tariq, Karim, Fatima, "
            "Aisha, Layla, Mariam, Noor, Huda, Salma, Rania, Yasmin, Hala, Samir, Nadia, Faisal, "
            "Sara, Zainab, Amira, Hamza, Rashid, Lina, Dina"
        ),
        _names(
            "Al-Mansouri, Haddad, Khalil, Nasser, Saleh, Al-Farsi, Hamdan, El-Sayed, Mansour, "
            "Aziz, Qasim, Darwish, Al-Amin, Bakr, Suleiman, Abdullah, Hussein, Al-Hashimi, "
            "Othman, Fahmy, Zaki, Barakat, Jaber, Karam, Benali, El Idrissi, Alaoui, Bennani"
        ),
    ),
    "hebrew": (
        _names(
            "Noa, Yosef, Tamar, David, Maya, Itai, Shira, Omer, Yael, Eitan, Michal, Amit, "
            "Noam, Talia, Ariel, Hila, Yonatan, Roni, Daniel, Ayelet"
        ),
        _names(
            "Cohen, Levi, Mizrahi, Peretz, Biton, Friedman, Avraham, Dahan, Azoulay, Katz, "
            "Shapiro, Ben-David, Rosen, Goldberg, Ohana, Segal, Shalom, Amar, Golan, Barak"
        ),
    ),
    "indian": (
        _names(
            "Aarav, Priya, Rohan, Ananya, Vikram, Kavya, Arjun, Sneha, Rahul, Pooja, Aditya, "
            "Neha, Karthik, Divya, Siddharth, Meera, Amit, Lakshmi, Harpreet, Ishita, Sanjay, "
            "Deepika, Nikhil, Shreya, Imran, Fatima, Varun, Aishwarya, Rajesh, Nandini"
        ),
        _names(
            "Sharma, Patel, Singh, Kumar, Gupta, Reddy, Iyer, Nair, Rao, Mehta, Joshi, Desai, "
            "Chatterjee, Banerjee, Kapoor, Malhotra, Verma, Pillai, Menon, Krishnan, Agarwal, "
            "Bhat, Shah, Khan, Das, Mishra, Gill, Subramanian"
        ),
    ),
    "south_asian_muslim": (
        _names(
            "Ahmed, Ayesha, Bilal, Sana, Usman, Hira, Faisal, Zara, Hamza, Maryam, Rafiq, "
            "Nusrat, Tanvir, Farhana, Imran, Sadia, Asif, Rumana, Kamran, Mahnoor"
        ),
        _names(
            "Khan, Ahmed, Hussain, Malik, Qureshi, Siddiqui, Chaudhry, Raza, Butt, Sheikh, "
            "Rahman, Hossain, Islam, Chowdhury, Akter, Haque, Uddin, Mirza, Javed, Anwar"
        ),
    ),
    "sri_lankan": (
        _names(
            "Kasun, Nadeesha, Chamara, Dilini, Ruwan, Sanduni, Tharindu, Ishara, Nuwan, "
            "Hasini, Lahiru, Kavindi, Dinesh, Nirmala"
        ),
        _names(
            "Perera, Fernando, de Silva, Jayawardena, Bandara, Wickramasinghe, Gunawardena, "
            "Dissanayake, Rajapaksa, Herath, Senanayake, Weerasinghe, Ratnayake, Kumara"
        ),
    ),
    "chinese": (
        _names(
            "Wei, Jing, Hao, Xin, Yu, Li Na, Jun, Mei, Lei, Ying, Chen, Xiaoling, Tao, Fang, "
            "Jian, Hui, Ming, Yan, Zhi, Lin, Kai, Qian, Bo, Lan, Kevin, Grace, Jason, Vivian"
        ),
        _names(
            "Wang, Li, Zhang, Liu, Chen, Yang, Huang, Zhao, Wu, Zhou, Xu, Sun, Ma, Zhu, Hu, "
            "Guo, He, Lin, Luo, Gao, Tan, Lim, Ng, Wong, Chan, Lee, Teo, Tsai"
        ),
    ),
    "japanese": (
        _names(
            "Haruto, Yui, Sota, Aoi, Ren, Hina, Yuto, Sakura, Takumi, Mio, Kenji, Yuki, Daiki, "
            "Akari, Shota, Nanami, Riku, Haruka, Kaito, Misaki"
        ),
        _names(
            "Sato, Suzuki, Takahashi, Tanaka, Watanabe, Ito, Yamamoto, Nakamura, Kobayashi, "
            "Kato, Yoshida, Yamada, Sasaki, Yamaguchi, Matsumoto, Inoue, Kimura, Hayashi, "
            "Shimizu, Mori"
        ),
    ),
    "korean": (
        _names(
            "Min-jun, Seo-yeon, Ji-ho, Ha-eun, Do-yun, Ji-woo, Seo-jun, Su-bin, Hyun-woo, "
            "Ye-jin, Jae-won, Eun-ji, Sung-min, Da-eun, Joon-young, Hye-jin"
        ),
        _names(
            "Kim, Lee, Park, Choi, Jung, Kang, Cho, Yoon, Jang, Lim, Han, Oh, Seo, Shin, Kwon, "
            "Hwang, Ahn, Song"
        ),
    ),
    "filipino": (
        _names(
            "Jose, Maria, Mark, Angelica, John Paul, Kristine, Carlo, Jasmine, Miguel, Patricia, "
            "Paolo, Camille, Rafael, Bea, Joshua, Nicole, Francis, Joanna, Ramon, Liza"
        ),
        _names(
            "Santos, Reyes, Cruz, Bautista, Ocampo, Garcia, Mendoza, Torres, Tomas, Andrada, "
            "Castillo, Flores, Villanueva, Ramos, Castro, Rivera, Aquino, Navarro, Salazar, "
            "Dela Cruz"
        ),
    ),
    "vietnamese": (
        _names(
            "Anh, Minh, Linh, Huy, Trang, Duc, Thao, Nam, Lan, Quang, Huong, Tuan, Mai, Long, "
            "Ngoc, Khanh, Phuong, Hieu"
        ),
        _names(
            "Nguyen, Tran, Le, Pham, Hoang, Huynh, Phan, Vu, Vo, Dang, Bui, Do, Ho, Ngo, Duong, Ly"
        ),
    ),
    "malay_indonesian": (
        _names(
            "Putri, Budi, Siti, Agus, Dewi, Rizky, Ayu, Andi, Nurul, Hendra, Sri, Fajar, Intan, "
            "Ahmad, Farah, Arif, Aisyah, Hafiz, Nabila, Dimas"
        ),
        _names(
            "Santoso, Wijaya, Saputra, Kusuma, Hidayat, Pratama, Setiawan, Nugroho, Halim, "
            "Gunawan, Rahman, Ismail, Hassan, Abdullah, Harahap, Siregar, Lubis, Tanoto"
        ),
    ),
    "thai": (
        _names(
            "Somchai, Nattaya, Anan, Ploy, Krit, Siriporn, Thanakorn, Pimchanok, Wichai, "
            "Kanya, Chaiwat, Malee, Pongsak, Rattana"
        ),
        _names(
            "Saetang, Srisuk, Wongsa, Chaiyaporn, Boonmee, Kittisak, Rattanakorn, Thongchai, "
            "Sukhum, Jaidee, Phromma, Suwannarat"
        ),
    ),
    "west_african": (
        _names(
            "Chinedu, Ngozi, Emeka, Adaeze, Oluwaseun, Funmilayo, Tunde, Amaka, Kwame, Akosua, "
            "Kofi, Ama, Yaw, Efua, Ibrahim, Aisha, Obinna, Chiamaka, Babajide, Yetunde"
        ),
        _names(
            "Okafor, Adeyemi, Okonkwo, Balogun, Eze, Nwosu, Adebayo, Ogunleye, Mensah, Owusu, "
            "Boateng, Asante, Osei, Appiah, Danso, Bello, Abubakar, Nnamdi, Olawale, Agyeman"
        ),
    ),
    "east_african": (
        _names(
            "Wanjiru, Kamau, Achieng, Otieno, Njeri, Mwangi, Akinyi, Kiprop, Wambui, Omondi, "
            "Nakato, Mugisha, Neema, Baraka, Zawadi, Juma, Amani, Halima"
        ),
        _names(
            "Mwangi, Otieno, Kariuki, Odhiambo, Kimani, Wekesa, Chebet, Njoroge, Ouma, Mutua, "
            "Okello, Nsubuga, Mushi, Mrema, Kiprotich, Wafula, Nyambura, Mollel"
        ),
    ),
}

# (ISO country, relative headcount, naming region). Weights roughly follow where a global
# software company hires; every country appears at least once in a large enough seed.
COUNTRIES: tuple[tuple[str, int, str], ...] = (
    ("US", 120, "anglo"),
    ("GB", 60, "anglo"),
    ("CA", 35, "anglo"),
    ("AU", 25, "anglo"),
    ("IE", 12, "anglo"),
    ("NZ", 8, "anglo"),
    ("ZA", 10, "anglo"),
    ("ES", 25, "hispanic"),
    ("MX", 25, "hispanic"),
    ("AR", 15, "hispanic"),
    ("CO", 15, "hispanic"),
    ("CL", 10, "hispanic"),
    ("PE", 8, "hispanic"),
    ("UY", 5, "hispanic"),
    ("CR", 5, "hispanic"),
    ("BR", 40, "lusophone"),
    ("PT", 15, "lusophone"),
    ("FR", 30, "french"),
    ("BE", 8, "french"),
    ("DE", 40, "german"),
    ("AT", 8, "german"),
    ("CH", 8, "german"),
    ("NL", 15, "dutch"),
    ("SE", 10, "nordic"),
    ("NO", 6, "nordic"),
    ("DK", 6, "nordic"),
    ("FI", 6, "nordic"),
    ("IT", 15, "italian"),
    ("PL", 20, "polish"),
    ("CZ", 8, "czech"),
    ("SK", 4, "czech"),
    ("RO", 10, "romanian"),
    ("UA", 12, "ukrainian"),
    ("GR", 6, "greek"),
    ("CY", 3, "greek"),
    ("TR", 10, "turkish"),
    ("AE", 10, "arabic"),
    ("SA", 6, "arabic"),
    ("EG", 10, "arabic"),
    ("JO", 4, "arabic"),
    ("MA", 5, "arabic"),
    ("QA", 3, "arabic"),
    ("KW", 2, "arabic"),
    ("BH", 2, "arabic"),
    ("OM", 2, "arabic"),
    ("IL", 10, "hebrew"),
    ("IN", 70, "indian"),
    ("PK", 10, "south_asian_muslim"),
    ("BD", 6, "south_asian_muslim"),
    ("LK", 4, "sri_lankan"),
    ("CN", 15, "chinese"),
    ("TW", 6, "chinese"),
    ("HK", 5, "chinese"),
    ("SG", 12, "chinese"),
    ("JP", 15, "japanese"),
    ("KR", 8, "korean"),
    ("PH", 20, "filipino"),
    ("VN", 10, "vietnamese"),
    ("ID", 10, "malay_indonesian"),
    ("MY", 8, "malay_indonesian"),
    ("TH", 6, "thai"),
    ("NG", 12, "west_african"),
    ("GH", 5, "west_african"),
    ("KE", 8, "east_african"),
    ("UG", 3, "east_african"),
    ("TZ", 3, "east_african"),
)

# Where most people of a multi-zone country live; other countries use their main zone.
ZONE_WEIGHTS: dict[str, tuple[tuple[str, int], ...]] = {
    "US": (
        ("America/New_York", 40),
        ("America/Chicago", 22),
        ("America/Denver", 8),
        ("America/Phoenix", 3),
        ("America/Los_Angeles", 25),
        ("America/Anchorage", 1),
        ("Pacific/Honolulu", 1),
    ),
    "CA": (
        ("America/Toronto", 50),
        ("America/Vancouver", 25),
        ("America/Edmonton", 10),
        ("America/Winnipeg", 5),
        ("America/Halifax", 7),
        ("America/St_Johns", 3),
    ),
    "AU": (
        ("Australia/Sydney", 40),
        ("Australia/Melbourne", 30),
        ("Australia/Brisbane", 15),
        ("Australia/Perth", 10),
        ("Australia/Adelaide", 5),
    ),
    "NZ": (("Pacific/Auckland", 1),),
    "ES": (("Europe/Madrid", 9), ("Atlantic/Canary", 1)),
    "MX": (("America/Mexico_City", 7), ("America/Monterrey", 2), ("America/Tijuana", 1)),
    "AR": (("America/Argentina/Buenos_Aires", 9), ("America/Argentina/Cordoba", 1)),
    "CL": (("America/Santiago", 1),),
    "BR": (
        ("America/Sao_Paulo", 80),
        ("America/Recife", 6),
        ("America/Fortaleza", 6),
        ("America/Manaus", 5),
        ("America/Belem", 3),
    ),
    "PT": (("Europe/Lisbon", 18), ("Atlantic/Madeira", 1), ("Atlantic/Azores", 1)),
    "DE": (("Europe/Berlin", 1),),
    "UA": (("Europe/Kyiv", 1),),
    "CY": (("Asia/Nicosia", 1),),
    "CN": (("Asia/Shanghai", 1),),
    "ID": (("Asia/Jakarta", 8), ("Asia/Makassar", 2)),
    "MY": (("Asia/Kuala_Lumpur", 9), ("Asia/Kuching", 1)),
}

# Sunday-Thursday working weeks.
SUN_THU_COUNTRIES = frozenset({"SA", "IL", "EG", "JO", "KW", "QA", "BH", "OM"})
# A long lunch break (split day) is common here.
SPLIT_DAY_COUNTRIES = frozenset(
    {"ES", "IT", "GR", "CY", "PT", "MX", "AR", "CL", "CO", "PE", "UY", "CR", "FR", "BE"}
)

# (department, headcount weight, groups, everyday titles).
DEPARTMENTS: tuple[tuple[str, int, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "Engineering",
        34,
        _names(
            "Platform, Payments, Mobile, Web, Data, Infrastructure, Security, "
            "Developer Experience, Search, Identity, Messaging, Billing, Reliability, "
            "Machine Learning, Integrations, Storage, Networking, Observability, Quality"
        ),
        _names(
            "Software Engineer, Senior Software Engineer, Staff Engineer, Backend Engineer, "
            "Frontend Engineer, Mobile Engineer, Data Engineer, QA Engineer, "
            "Site Reliability Engineer, Security Engineer, DevOps Engineer, ML Engineer"
        ),
    ),
    (
        "Support",
        18,
        _names(
            "Customer Support, Technical Support, Enterprise Support, Onboarding, "
            "Escalations, Knowledge Base, Community, Support Operations"
        ),
        _names(
            "Support Engineer, Customer Support Specialist, Technical Support Engineer, "
            "Support Analyst, Customer Success Manager, Onboarding Specialist"
        ),
    ),
    (
        "Sales",
        14,
        _names(
            "Enterprise Sales, Mid-Market, Partnerships, Sales Engineering, Revenue Operations, "
            "Account Management, Business Development, Renewals"
        ),
        _names(
            "Account Executive, Sales Development Representative, Solutions Engineer, "
            "Account Manager, Partner Manager, Revenue Analyst"
        ),
    ),
    (
        "Operations",
        12,
        _names(
            "Site Operations, Network Operations, IT, Service Desk, Incident Management, "
            "Procurement, Vendor Management, Business Continuity, Facilities"
        ),
        _names(
            "Operations Engineer, NOC Analyst, IT Specialist, Systems Administrator, "
            "Operations Analyst, Service Desk Analyst, Incident Manager"
        ),
    ),
    (
        "Product",
        12,
        _names(
            "Product Management, Design, User Research, Analytics, Documentation, Localization, "
            "Growth, Product Operations"
        ),
        _names(
            "Product Manager, Senior Product Manager, Product Designer, UX Researcher, "
            "Data Analyst, Technical Writer, Localization Specialist"
        ),
    ),
    (
        "Marketing",
        7,
        _names("Brand, Content, Demand Generation, Product Marketing, Events, Communications"),
        _names(
            "Marketing Manager, Content Strategist, Product Marketing Manager, Copywriter, "
            "Marketing Analyst, Events Coordinator"
        ),
    ),
    (
        "People",
        5,
        _names("Recruiting, People Operations, Learning, Total Rewards, Workplace"),
        _names(
            "Recruiter, People Partner, HR Generalist, Learning Specialist, "
            "Compensation Analyst, Workplace Coordinator"
        ),
    ),
    (
        "Finance",
        4,
        _names("Accounting, Financial Planning, Payroll, Tax, Treasury"),
        _names("Accountant, Financial Analyst, Payroll Specialist, Tax Manager, Controller"),
    ),
)

SQUAD_SUFFIXES = _names(
    "Core, Tooling, Growth, Insights, Automation, Experience, API, Migrations, Performance, "
    "Frontend, Backend, Pipelines, Enablement, Compliance, Integrations, Foundations, Edge"
)
REGION_SUFFIXES = _names("EMEA, APAC, Americas, LATAM, North America, Tier 2, Tier 3")
# Big orgs repeat a group per business line ("Enterprise Payments", "Cloud Platform").
GROUP_QUALIFIERS = _names(
    "Enterprise, Cloud, Consumer, Partner, Internal, Commerce, Public Sector, Healthcare, "
    "Education, Financial Services, Retail, Travel"
)
# Departments whose squads are often regional (they follow the sun).
REGIONAL_DEPARTMENTS = frozenset({"Support", "Sales", "Operations"})
# Departments that run night shifts.
SHIFT_DEPARTMENTS = frozenset({"Support", "Operations"})

_ASCII_MAP = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss", "đ": "d", "ı": "i"}
)


def ascii_slug(text: str) -> str:
    """'Łukasz Wiśniewski' -> 'lukasz.wisniewski' (usernames must be plain ASCII)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII_MAP))
    plain = decomposed.encode("ascii", "ignore").decode().lower()
    out = []
    for char in plain:
        if char.isalnum():
            out.append(char)
        elif char in " -'." and out and out[-1] != ".":
            out.append(".")
    return "".join(out).strip(".")


def zones_for(country: str) -> list[tuple[str, int]]:
    """Weighted real zones of a country, restricted to pytz.common_timezones."""
    common = set(pytz.common_timezones)
    weighted = [(z, w) for z, w in ZONE_WEIGHTS.get(country, ()) if z in common]
    if weighted:
        return weighted
    zones = [z for z in pytz.country_timezones.get(country, []) if z in common]
    return [(zones[0], 1)] if zones else [("UTC", 1)]


# --- working hours ---------------------------------------------------------------------------


def _fmt(minute: int) -> str:
    minute %= 24 * 60
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _span(start: int, length: int) -> str:
    return f"{_fmt(start)}-{_fmt(start + length)}"


def _week(days: tuple[str, ...], intervals: list[str]) -> dict[str, list[str]]:
    return {key: (list(intervals) if key in days else []) for key in DAY_KEYS}


MON_FRI = ("mon", "tue", "wed", "thu", "fri")
SUN_THU = ("sun", "mon", "tue", "wed", "thu")


def working_hours_for(rng: random.Random, *, country: str, department: str) -> dict:
    """A plausible week in local time for someone in this country and department."""
    days = SUN_THU if country in SUN_THU_COUNTRIES else MON_FRI
    roll = rng.random()
    night_chance = 0.12 if department in SHIFT_DEPARTMENTS else 0.01
    if roll < night_chance:
        # Night shift crossing midnight; the Friday shift ends Saturday morning.
        start = rng.choice((22 * 60, 22 * 60, 21 * 60, 23 * 60))
        return _week(days, [_span(start, 8 * 60)])
    roll = rng.random()
    split_chance = 0.35 if country in SPLIT_DAY_COUNTRIES else 0.06
    if roll < split_chance:
        intervals = rng.choice(
            (
                ["09:00-12:30", "13:30-18:00"],
                ["09:00-13:00", "15:00-19:00"],
                ["08:30-13:30", "15:00-18:00"],
                ["09:00-14:00", "16:00-19:00"],
            )
        )
        if country in SPLIT_DAY_COUNTRIES and rng.random() < 0.3:
            # Summer-hours style: a short Friday.
            week = _week(days, intervals)
            week[days[-1]] = ["08:00-15:00"]
            return week
        return _week(days, intervals)
    roll = rng.random()
    if roll < 0.04:
        return _week(days[:4], ["09:00-15:00"])  # part time, four days
    if roll < 0.07:
        return _week(days, ["09:00-13:00"])  # mornings only
    if roll < 0.10 and department in SHIFT_DEPARTMENTS and days == MON_FRI:
        return _week(("tue", "wed", "thu", "fri", "sat"), ["09:00-17:00"])  # covers Saturday
    if roll < 0.13 and department in SHIFT_DEPARTMENTS:
        week = _week(days, ["08:00-16:00"])
        week["sat"] = ["10:00-14:00"]
        return week
    # The common case: a regular day, mostly 09:00-17:00 or 08:00-16:30.
    roll = rng.random()
    if roll < 0.5:
        span = "09:00-17:00"
    elif roll < 0.72:
        span = "08:00-16:30"
    else:
        start = rng.choice((7 * 60, 7 * 60 + 30, 8 * 60 + 30, 9 * 60 + 30, 10 * 60, 11 * 60))
        span = _span(start, rng.choice((8 * 60, 8 * 60 + 30, 9 * 60)))
    if country == "AE" and rng.random() < 0.5:
        # The UAE's Monday-Friday week with a short Friday.
        week = _week(MON_FRI, [span])
        week["fri"] = ["07:30-12:00"]
        return week
    return _week(days, [span])


# --- the plan --------------------------------------------------------------------------------


@dataclass
class TeamPlan:
    name: str
    slug: str
    parent_slug: str
    description: str
    department: str
    level: int
    members: list[int] = field(default_factory=list)  # person indexes; the first is the lead


@dataclass
class DemoPlan:
    teams: list[TeamPlan]
    people: list[dict]

    def team_rows(self) -> list[dict]:
        return [
            {
                "name": t.name,
                "slug": t.slug,
                "parent_slug": t.parent_slug,
                "description": t.description,
            }
            for t in self.teams
        ]


def _spread(total: int, weights: list[int]) -> list[int]:
    """Split `total` into integer parts proportional to weights (largest remainder)."""
    if total <= 0 or not weights:
        return [0] * len(weights)
    weight_sum = sum(weights)
    exact = [total * w / weight_sum for w in weights]
    parts = [math.floor(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: exact[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


class _SlugBook:
    def __init__(self) -> None:
        self.used: set[str] = set()

    def name(self, base: str) -> tuple[str, str]:
        name, n = base, 2
        while slugify(name) in self.used or not slugify(name):
            name, n = f"{base} {n}", n + 1
        self.used.add(slugify(name))
        return name, slugify(name)


def _plan_teams(rng: random.Random, total: int) -> list[TeamPlan]:
    if total <= 0:
        return []
    n_depts = min(len(DEPARTMENTS), max(1, total // 3))
    depts = DEPARTMENTS[:n_depts]
    rest = total - n_depts
    n_groups = math.ceil(rest * 0.3)
    n_squads = rest - n_groups
    book = _SlugBook()
    teams: list[TeamPlan] = []
    groups_by_dept: list[list[TeamPlan]] = []
    for name, _weight, _groups, _titles in depts:
        team_name, slug = book.name(name)
        teams.append(
            TeamPlan(team_name, slug, "", f"The {name} department.", name, 1),
        )
        groups_by_dept.append([])
    group_counts = _spread(n_groups, [d[1] for d in depts])
    for index, (dept, count) in enumerate(zip(depts, group_counts, strict=True)):
        name, _weight, group_names, _titles = dept
        for k in range(count):
            base = group_names[k % len(group_names)]
            if k >= len(group_names):
                round_ = k // len(group_names) - 1
                qualifiers = [q for q in GROUP_QUALIFIERS if q not in base]
                base = f"{qualifiers[round_ % len(qualifiers)]} {base}"
            team_name, slug = book.name(base)
            group = TeamPlan(
                team_name, slug, teams[index].slug, f"{team_name}, part of {name}.", name, 2
            )
            teams.append(group)
            groups_by_dept[index].append(group)
    all_groups = [g for groups in groups_by_dept for g in groups]
    if all_groups:
        dept_weight = {d[0]: d[1] for d in depts}
        per_group = [dept_weight[g.department] for g in all_groups]
        squad_counts = _spread(n_squads, per_group)
        for group, count in zip(all_groups, squad_counts, strict=True):
            suffixes = list(
                REGION_SUFFIXES if group.department in REGIONAL_DEPARTMENTS else SQUAD_SUFFIXES
            )
            rng.shuffle(suffixes)
            for k in range(count):
                suffix = suffixes[k % len(suffixes)]
                team_name, slug = book.name(f"{group.name} {suffix}")
                teams.append(
                    TeamPlan(
                        team_name,
                        slug,
                        group.slug,
                        f"{team_name}, within {group.name}.",
                        group.department,
                        3,
                    )
                )
    return teams


def _lead_title(team: TeamPlan) -> str:
    if team.level == 1:
        return f"Head of {team.department}"
    if team.level == 2:
        return f"{team.name} Manager"
    return "Tech Lead" if team.department == "Engineering" else "Team Lead"


def build_plan(*, people: int, teams: int, seed: int = 1) -> DemoPlan:
    """The whole demo org as plain rows. Deterministic for a given (people, teams, seed)."""
    rng = random.Random(seed)
    team_plans = _plan_teams(rng, teams)
    dept_titles = {d[0]: d[3] for d in DEPARTMENTS}

    # Countries: first one each (so a seed of 60+ people covers every country), then weighted.
    order = list(COUNTRIES)
    rng.shuffle(order)
    weights = [c[1] for c in COUNTRIES]
    countries = [order[i] if i < len(order) else None for i in range(people)]
    countries = [c or rng.choices(COUNTRIES, weights)[0] for c in countries]

    # Home team: department by headcount weight, then a team in it (squads hold most people).
    by_dept: dict[str, list[int]] = {}
    for index, team in enumerate(team_plans):
        by_dept.setdefault(team.department, []).append(index)
    dept_names = list(by_dept)
    weight_of = {d[0]: d[1] for d in DEPARTMENTS}
    dept_weights = [weight_of[d] for d in dept_names]
    level_weight = {1: 1, 2: 3, 3: 8}
    memberships: list[list[int]] = [[] for _ in range(people)]
    if team_plans:
        for person in range(people):
            dept = rng.choices(dept_names, dept_weights)[0]
            candidates = by_dept[dept]
            home = rng.choices(candidates, [level_weight[team_plans[i].level] for i in candidates])
            memberships[person].append(home[0])
            extra = 2 if rng.random() < 0.08 else 1 if rng.random() < 0.3 else 0
            for _ in range(extra):
                pool = candidates if rng.random() < 0.6 else range(len(team_plans))
                choice = rng.choice(list(pool))
                if choice not in memberships[person]:
                    memberships[person].append(choice)
        for person, team_ids in enumerate(memberships):
            for team_index in team_ids:
                team_plans[team_index].members.append(person)
        # Every team gets at least one member, who will lead it.
        for team_index, team in enumerate(team_plans):
            if not team.members and people:
                person = rng.randrange(people)
                team.members.append(person)
                memberships[person].append(team_index)

    # Leads: a random member of each team; department and group leads become managers.
    for team in team_plans:
        rng.shuffle(team.members)
    leads: dict[int, list[int]] = {}
    managers: set[int] = set()
    target_managers = max(1, round(people * 0.05)) if people else 0
    for team_index, team in enumerate(team_plans):
        if not team.members:
            continue
        lead = team.members[0]
        leads.setdefault(lead, []).append(team_index)
        if team.level <= 2 and len(managers) < target_managers:
            managers.add(lead)
    candidates = [p for p in range(people) if p not in managers]
    rng.shuffle(candidates)
    while len(managers) < target_managers and candidates:
        managers.add(candidates.pop())
    admins = [p for p in candidates if p not in managers][: min(2, max(0, people - 1))]

    first_index: dict[str, int] = {}
    rows = []
    used_usernames: set[str] = set()
    for person in range(people):
        country, _weight, region = countries[person]
        first_names, last_names = REGION_NAMES[region]
        first, last = rng.choice(first_names), rng.choice(last_names)
        display_name = f"{first} {last}"
        base = ascii_slug(display_name) or "person"
        username = base
        while username in used_usernames:
            first_index[base] = first_index.get(base, 1) + 1
            username = f"{base}{first_index[base]}"
        used_usernames.add(username)
        zone_names, zone_weights = zip(*zones_for(country), strict=True)
        zone = rng.choices(zone_names, zone_weights)[0]
        team_ids = memberships[person]
        department = team_plans[team_ids[0]].department if team_ids else "Engineering"
        hours = working_hours_for(rng, country=country, department=department)
        titles = dept_titles.get(department, DEPARTMENTS[0][3])
        title = rng.choice(titles)
        if person in leads:
            top = min(leads[person], key=lambda i: team_plans[i].level)
            title = _lead_title(team_plans[top])
        org_role = "member"
        if person in managers:
            org_role = "manager"
        elif person in admins:
            org_role = "admin"
            title = "IT Administrator"
        team_refs = [
            (team_plans[i].slug, "lead" if team_plans[i].members[0] == person else "member")
            for i in team_ids
        ]
        rows.append(
            {
                "line": person + 1,
                "username": username,
                "email": f"{username}@baton.example",
                "display_name": display_name,
                "time_zone": zone,
                "country": country,
                "working_hours": hours,
                "org_role": org_role,
                "title": title,
                "teams": team_refs,
            }
        )
    return DemoPlan(teams=team_plans, people=rows)
